import { showList } from './list.ts';
import { showProduct } from './product.ts';

/** The demo storefront: one bundle for its two pages, told apart by the body's data-page. */
const run = document.body.dataset.page === 'product' ? showProduct : showList;
void run();
