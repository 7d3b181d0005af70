/**
 * The demo shop's catalog: furniture, jewellery and apparel, written as compact specs and
 * expanded into products with one variant per combination of options. Everything is derived
 * deterministically (stock from a PRNG seeded by the SKU), so every fresh database is identical.
 */
import type { Dimensions, Localized, Money, Product, ProductCategory, Variant } from './types.ts';

interface ProductSpec {
  handle: string;
  /** the SKU prefix */
  code: string;
  category: ProductCategory;
  title: Localized;
  description: Localized;
  tags: string[];
  materials: string[];
  /** price in whole US dollars; EUR and GBP follow the shop's fixed price list ratios */
  usd: number;
  /** option name -> values; the first axis may carry price steps and dimensions */
  options: Record<string, string[]>;
  /** extra USD for a value of an option, e.g. the 8-seat table */
  surcharge?: Record<string, number>;
  /** one set of dimensions, or one per value of an option */
  dimensions?: Dimensions | Record<string, Dimensions>;
  returnable?: boolean;
  /** SKUs with nothing left */
  soldOut?: string[];
}

/** The shop sets EUR and GBP prices from USD with fixed ratios, rounded to whole units. */
const PRICE_RATIOS: Record<string, number> = { USD: 1, EUR: 0.92, GBP: 0.79 };

function pricesFor(usd: number): Money[] {
  return Object.entries(PRICE_RATIOS).map(([currency, ratio]) => ({
    currency,
    amount: Math.round(usd * ratio) * 100,
  }));
}

/** mulberry32 seeded with a string hash: deterministic, and different per SKU. */
function seededRandom(seed: string): () => number {
  let state = 0;
  for (const char of seed) state = (Math.imul(state ^ char.charCodeAt(0), 2654435761) + 1) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function combinations(options: Record<string, string[]>): Record<string, string>[] {
  return Object.entries(options).reduce<Record<string, string>[]>(
    (acc, [name, values]) => acc.flatMap((combo) => values.map((value) => ({ ...combo, [name]: value }))),
    [{}],
  );
}

const skuPart = (value: string) =>
  value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9]+/g, '')
    .toUpperCase()
    .slice(0, 6);

function isDimensions(value: Dimensions | Record<string, Dimensions>): value is Dimensions {
  return typeof (value as Dimensions).widthCm === 'number';
}

function expand(spec: ProductSpec): Product {
  const variants: Variant[] = combinations(spec.options).map((options) => {
    const sku = [spec.code, ...Object.values(options).map(skuPart)].join('-');
    const extra = Object.values(options).reduce((sum, value) => sum + (spec.surcharge?.[value] ?? 0), 0);
    const random = seededRandom(sku);
    const ceiling = spec.category === 'furniture' ? 9 : 30;
    const variant: Variant = {
      id: `var_${sku.toLowerCase()}`,
      sku,
      options,
      prices: pricesFor(spec.usd + extra),
      stock: spec.soldOut?.includes(sku) ? 0 : 1 + Math.floor(random() * ceiling),
    };
    if (spec.dimensions) {
      const dims = isDimensions(spec.dimensions)
        ? spec.dimensions
        : Object.values(options)
            .map((value) => (spec.dimensions as Record<string, Dimensions>)[value])
            .find((d) => d !== undefined);
      if (dims) variant.dimensions = dims;
    }
    return variant;
  });
  return {
    id: `prod_${spec.handle}`,
    handle: spec.handle,
    title: spec.title,
    description: spec.description,
    category: spec.category,
    tags: spec.tags,
    materials: spec.materials,
    variants,
    returnable: spec.returnable ?? true,
  };
}

const RING_SIZES = ['5', '6', '7', '8', '9'];
const APPAREL_SIZES = ['XS', 'S', 'M', 'L', 'XL'];

const FURNITURE: ProductSpec[] = [
  {
    handle: 'oslo-3-seat-sofa',
    code: 'OSLO',
    category: 'furniture',
    title: {
      en: 'Oslo 3-Seat Sofa',
      es: 'Sofá de tres plazas Oslo',
      zh: '奥斯陆三人沙发',
      ar: 'أريكة أوسلو بثلاثة مقاعد',
    },
    description: {
      en: 'A deep three-seat sofa in washed Belgian linen on a solid oak frame, with feather-wrapped cushions and removable, washable covers. Seats three adults comfortably.',
      es: 'Un sofá profundo de tres plazas en lino belga lavado sobre estructura de roble macizo, con cojines envueltos en pluma y fundas extraíbles y lavables. Tres adultos se sientan con holgura.',
      zh: '水洗比利时亚麻面料三人沙发，实心橡木框架，羽毛包裹坐垫，沙发套可拆洗。',
      ar: 'أريكة عميقة بثلاثة مقاعد من الكتان البلجيكي المغسول على هيكل من خشب البلوط الصلب، مع وسائد مغلفة بالريش وأغطية قابلة للإزالة والغسل.',
    },
    tags: ['sofa', 'couch', 'living room', 'scandinavian'],
    materials: ['linen', 'oak', 'feather'],
    usd: 1499,
    options: { colour: ['Oat', 'Charcoal', 'Sage'] },
    dimensions: { widthCm: 214, depthCm: 92, heightCm: 84, weightKg: 58 },
    soldOut: ['OSLO-SAGE'],
  },
  {
    handle: 'bergen-corner-sofa',
    code: 'BERG',
    category: 'furniture',
    title: { en: 'Bergen Corner Sofa', es: 'Sofá rinconera Bergen', zh: '卑尔根转角沙发' },
    description: {
      en: 'An L-shaped corner sofa in cotton velvet, made to order in our Porto workshop in eight weeks. Made-to-order pieces cannot be returned.',
      es: 'Sofá rinconera en forma de L de terciopelo de algodón, hecho por encargo en nuestro taller de Oporto en ocho semanas. Las piezas por encargo no admiten devolución.',
      zh: 'L形棉质天鹅绒转角沙发，波尔图工坊定制，八周交货。定制商品不支持退货。',
    },
    tags: ['sofa', 'sectional', 'corner', 'made to order'],
    materials: ['velvet', 'cotton', 'beech'],
    usd: 2899,
    options: { colour: ['Forest', 'Rust', 'Navy'], orientation: ['Left', 'Right'] },
    dimensions: { widthCm: 280, depthCm: 180, heightCm: 82, weightKg: 96 },
    returnable: false,
  },
  {
    handle: 'lisbon-leather-loveseat',
    code: 'LISB',
    category: 'furniture',
    title: { en: 'Lisbon Leather Loveseat', es: 'Sofá de dos plazas Lisboa en piel' },
    description: {
      en: 'A compact two-seat sofa in vegetable-tanned full-grain leather that darkens beautifully with use.',
      es: 'Un sofá compacto de dos plazas en piel plena curtida vegetal que se oscurece con el uso.',
    },
    tags: ['sofa', 'loveseat', 'two seater', 'small spaces'],
    materials: ['leather', 'walnut'],
    usd: 1890,
    options: { colour: ['Cognac', 'Black'] },
    dimensions: { widthCm: 162, depthCm: 88, heightCm: 80, weightKg: 41 },
  },
  {
    handle: 'nara-sofa-bed',
    code: 'NARA',
    category: 'furniture',
    title: { en: 'Nara Sofa Bed', es: 'Sofá cama Nara', ar: 'أريكة سرير نارا' },
    description: {
      en: 'A three-seat sofa in cotton twill that pulls out into a 140 x 195 cm double bed with a memory-foam mattress.',
      es: 'Sofá de tres plazas en sarga de algodón que se convierte en una cama doble de 140 x 195 cm con colchón viscoelástico.',
      ar: 'أريكة بثلاثة مقاعد من قماش القطن تتحول إلى سرير مزدوج مقاس 140 × 195 سم مع مرتبة من الإسفنج.',
    },
    tags: ['sofa', 'sofa bed', 'guest room'],
    materials: ['cotton', 'memory foam', 'steel'],
    usd: 1290,
    options: { colour: ['Stone', 'Ink'] },
    dimensions: { widthCm: 200, depthCm: 95, heightCm: 86, weightKg: 72 },
  },
  {
    handle: 'aalto-oak-dining-table',
    code: 'AALT',
    category: 'furniture',
    title: { en: 'Aalto Oak Dining Table', es: 'Mesa de comedor Aalto de roble', zh: '阿尔托橡木餐桌' },
    description: {
      en: 'A solid white-oak dining table with a hard-wax oil finish, in six- and eight-seat lengths.',
      es: 'Mesa de comedor de roble blanco macizo con acabado de aceite a la cera, para seis u ocho comensales.',
      zh: '实心白橡木餐桌，硬蜡油饰面，提供六人和八人两种尺寸。',
    },
    tags: ['table', 'dining table', 'dining room'],
    materials: ['oak'],
    usd: 1190,
    options: { size: ['6-seat', '8-seat'] },
    surcharge: { '8-seat': 400 },
    dimensions: {
      '6-seat': { widthCm: 180, depthCm: 90, heightCm: 75, weightKg: 48 },
      '8-seat': { widthCm: 220, depthCm: 100, heightCm: 75, weightKg: 61 },
    },
  },
  {
    handle: 'porto-round-coffee-table',
    code: 'PORT',
    category: 'furniture',
    title: { en: 'Porto Round Coffee Table', es: 'Mesa de centro redonda Oporto' },
    description: {
      en: 'A round walnut coffee table, 90 cm across, with a lower shelf for books.',
      es: 'Mesa de centro redonda de nogal de 90 cm de diámetro, con un estante inferior para libros.',
    },
    tags: ['table', 'coffee table', 'living room'],
    materials: ['walnut'],
    usd: 590,
    options: { finish: ['Walnut', 'Ebonised'] },
    dimensions: { widthCm: 90, depthCm: 90, heightCm: 40, weightKg: 19 },
  },
  {
    handle: 'kyoto-side-table',
    code: 'KYOT',
    category: 'furniture',
    title: { en: 'Kyoto Side Table', es: 'Mesa auxiliar Kioto', zh: '京都边桌' },
    description: {
      en: 'A small ash side table joined without screws, after Japanese joinery.',
      es: 'Pequeña mesa auxiliar de fresno ensamblada sin tornillos, a la manera de la carpintería japonesa.',
      zh: '小型白蜡木边桌，采用日式榫卯工艺，无需螺丝。',
    },
    tags: ['table', 'side table', 'bedside'],
    materials: ['ash'],
    usd: 240,
    options: { finish: ['Natural', 'Black'] },
    dimensions: { widthCm: 45, depthCm: 45, heightCm: 52, weightKg: 6 },
    soldOut: ['KYOT-BLACK'],
  },
  {
    handle: 'vienna-bentwood-chair',
    code: 'VIEN',
    category: 'furniture',
    title: {
      en: 'Vienna Bentwood Chair',
      es: 'Silla Viena de madera curvada',
      ar: 'كرسي فيينا من الخشب المنحني',
    },
    description: {
      en: 'The classic café chair in steam-bent beech with a woven cane seat. Sold individually.',
      es: 'La clásica silla de café en haya curvada al vapor con asiento de rejilla. Se vende por unidad.',
      ar: 'كرسي المقهى الكلاسيكي من خشب الزان المنحني بالبخار مع مقعد من الخيزران المنسوج.',
    },
    tags: ['chair', 'dining chair', 'cafe'],
    materials: ['beech', 'cane'],
    usd: 220,
    options: { colour: ['Natural', 'Black'] },
    dimensions: { widthCm: 44, depthCm: 52, heightCm: 82, weightKg: 4 },
  },
  {
    handle: 'harbor-lounge-chair',
    code: 'HARB',
    category: 'furniture',
    title: { en: 'Harbor Lounge Chair', es: 'Butaca Harbor' },
    description: {
      en: 'A low lounge chair in wool bouclé on an oiled oak frame, with a deep reclined seat.',
      es: 'Butaca baja en bouclé de lana sobre estructura de roble aceitado, con asiento profundo y reclinado.',
    },
    tags: ['chair', 'armchair', 'lounge chair', 'reading'],
    materials: ['wool', 'boucle', 'oak'],
    usd: 890,
    options: { colour: ['Cream', 'Moss'] },
    dimensions: { widthCm: 78, depthCm: 84, heightCm: 72, weightKg: 17 },
  },
  {
    handle: 'milan-bar-stool',
    code: 'MILA',
    category: 'furniture',
    title: { en: 'Milan Bar Stool', es: 'Taburete alto Milán' },
    description: {
      en: 'A powder-coated steel stool with a saddle-leather seat, for kitchen islands (65 cm) or bars (75 cm).',
      es: 'Taburete de acero con asiento de cuero de silla de montar, para islas de cocina (65 cm) o barras (75 cm).',
    },
    tags: ['chair', 'stool', 'kitchen'],
    materials: ['steel', 'leather'],
    usd: 260,
    options: { height: ['65 cm', '75 cm'] },
    dimensions: {
      '65 cm': { widthCm: 40, depthCm: 40, heightCm: 65, weightKg: 6 },
      '75 cm': { widthCm: 40, depthCm: 40, heightCm: 75, weightKg: 7 },
    },
  },
  {
    handle: 'luna-arc-floor-lamp',
    code: 'LUNA',
    category: 'furniture',
    title: {
      en: 'Luna Arc Floor Lamp',
      es: 'Lámpara de pie de arco Luna',
      zh: '月亮弧形落地灯',
      ar: 'مصباح أرضي لونا المقوس',
    },
    description: {
      en: 'An arched brass floor lamp on a marble base that reaches 180 cm over a sofa. E27 bulb, dimmable.',
      es: 'Lámpara de pie de arco en latón con base de mármol que alcanza 180 cm sobre el sofá. Bombilla E27, regulable.',
      zh: '黄铜弧形落地灯，大理石底座，可延伸至沙发上方180厘米，E27灯泡，可调光。',
      ar: 'مصباح أرضي مقوس من النحاس على قاعدة رخامية يمتد 180 سم فوق الأريكة، قابل للتعتيم.',
    },
    tags: ['lamp', 'lighting', 'floor lamp'],
    materials: ['brass', 'marble'],
    usd: 480,
    options: { finish: ['Brass', 'Black'] },
    dimensions: { widthCm: 180, depthCm: 35, heightCm: 200, weightKg: 22 },
  },
  {
    handle: 'atlas-ceramic-table-lamp',
    code: 'ATLA',
    category: 'furniture',
    title: { en: 'Atlas Ceramic Table Lamp', es: 'Lámpara de mesa de cerámica Atlas' },
    description: {
      en: 'A hand-thrown stoneware table lamp with a linen shade. Each glaze varies slightly.',
      es: 'Lámpara de mesa de gres torneado a mano con pantalla de lino. Cada esmalte varía ligeramente.',
    },
    tags: ['lamp', 'lighting', 'table lamp', 'bedside'],
    materials: ['ceramic', 'stoneware', 'linen'],
    usd: 180,
    options: { colour: ['Sand', 'Cobalt', 'Terracotta'] },
    dimensions: { widthCm: 30, depthCm: 30, heightCm: 48, weightKg: 3 },
  },
  {
    handle: 'fjord-oak-bookshelf',
    code: 'FJOR',
    category: 'furniture',
    title: { en: 'Fjord Oak Bookshelf', es: 'Estantería Fjord de roble' },
    description: {
      en: 'A five-shelf open bookcase in solid oak, fixed to the wall with the included bracket.',
      es: 'Librería abierta de cinco baldas en roble macizo, con anclaje a la pared incluido.',
    },
    tags: ['shelf', 'bookcase', 'storage'],
    materials: ['oak'],
    usd: 760,
    options: { width: ['80 cm', '120 cm'] },
    surcharge: { '120 cm': 220 },
    dimensions: {
      '80 cm': { widthCm: 80, depthCm: 32, heightCm: 190, weightKg: 38 },
      '120 cm': { widthCm: 120, depthCm: 32, heightCm: 190, weightKg: 52 },
    },
  },
  {
    handle: 'sahara-wool-rug',
    code: 'SAHA',
    category: 'furniture',
    title: {
      en: 'Sahara Hand-Knotted Wool Rug',
      es: 'Alfombra Sahara de lana anudada a mano',
      ar: 'سجادة الصحراء الصوفية المعقودة يدويًا',
    },
    description: {
      en: 'A hand-knotted Berber-style rug in undyed wool with a soft high pile.',
      es: 'Alfombra de estilo bereber anudada a mano en lana sin teñir, de pelo alto y suave.',
      ar: 'سجادة بأسلوب أمازيغي معقودة يدويًا من الصوف غير المصبوغ بوبر عالٍ وناعم.',
    },
    tags: ['rug', 'carpet', 'living room'],
    materials: ['wool'],
    usd: 690,
    options: { size: ['160x230', '200x300'] },
    surcharge: { '200x300': 450 },
    dimensions: {
      '160x230': { widthCm: 160, depthCm: 230, heightCm: 3, weightKg: 11 },
      '200x300': { widthCm: 200, depthCm: 300, heightCm: 3, weightKg: 18 },
    },
  },
];

const JEWELLERY: ProductSpec[] = [
  {
    handle: 'aurora-solitaire-ring',
    code: 'AURO',
    category: 'jewellery',
    title: {
      en: 'Aurora Solitaire Ring',
      es: 'Anillo solitario Aurora',
      zh: '极光单钻戒指',
      ar: 'خاتم أورورا سوليتير',
    },
    description: {
      en: 'A 0.5 carat lab-grown diamond in a four-claw setting on a slim 18k gold band.',
      es: 'Un diamante de laboratorio de 0,5 quilates en engaste de cuatro garras sobre un aro fino de oro de 18 k.',
      zh: '0.5克拉培育钻石，四爪镶嵌，18K金细戒圈。',
      ar: 'ماسة مزروعة مخبرياً بوزن 0.5 قيراط بترصيع رباعي المخالب على خاتم رفيع من ذهب عيار 18.',
    },
    tags: ['ring', 'engagement', 'diamond'],
    materials: ['18k gold', 'lab-grown diamond'],
    usd: 1350,
    options: { size: RING_SIZES, metal: ['Yellow gold', 'White gold'] },
    soldOut: ['AURO-9-WHITEG'],
  },
  {
    handle: 'sterling-stacking-ring',
    code: 'STAK',
    category: 'jewellery',
    title: { en: 'Sterling Stacking Ring', es: 'Anillo apilable de plata' },
    description: {
      en: 'A thin hammered ring in recycled sterling silver, made to be worn in stacks.',
      es: 'Anillo fino martillado en plata de ley reciclada, pensado para llevarse apilado.',
    },
    tags: ['ring', 'stacking', 'everyday'],
    materials: ['sterling silver'],
    usd: 45,
    options: { size: RING_SIZES },
  },
  {
    handle: 'engraved-signet-ring',
    code: 'SIGN',
    category: 'jewellery',
    title: { en: 'Engraved Signet Ring', es: 'Anillo sello grabado', ar: 'خاتم الختم المنقوش' },
    description: {
      en: 'A gold-vermeil signet ring hand-engraved with up to three initials. Personalised pieces cannot be returned.',
      es: 'Anillo sello en vermeil de oro grabado a mano con hasta tres iniciales. Las piezas personalizadas no admiten devolución.',
      ar: 'خاتم ختم من الفضة المطلية بالذهب منقوش يدويًا بما يصل إلى ثلاثة أحرف. لا يمكن إرجاع القطع المخصصة.',
    },
    tags: ['ring', 'signet', 'personalised', 'gift'],
    materials: ['gold vermeil', 'sterling silver'],
    usd: 165,
    options: { size: RING_SIZES },
    returnable: false,
  },
  {
    handle: 'eternity-band',
    code: 'ETER',
    category: 'jewellery',
    title: { en: 'Sapphire Eternity Band', es: 'Alianza eterna de zafiros', zh: '蓝宝石永恒戒指' },
    description: {
      en: 'A full circle of blue sapphires channel-set in platinum.',
      es: 'Un círculo completo de zafiros azules engastados en carril sobre platino.',
      zh: '一整圈蓝宝石槽镶于铂金戒圈。',
    },
    tags: ['ring', 'wedding', 'anniversary', 'sapphire'],
    materials: ['platinum', 'sapphire'],
    usd: 2200,
    options: { size: RING_SIZES },
  },
  {
    handle: 'pearl-pendant-necklace',
    code: 'PEAR',
    category: 'jewellery',
    title: {
      en: 'Pearl Pendant Necklace',
      es: 'Collar con colgante de perla',
      zh: '珍珠吊坠项链',
      ar: 'قلادة بقلادة اللؤلؤ',
    },
    description: {
      en: 'A single freshwater pearl on a fine 18k gold chain, in 40 or 45 cm.',
      es: 'Una perla de agua dulce sobre una cadena fina de oro de 18 k, de 40 o 45 cm.',
      zh: '一颗淡水珍珠配18K金细链，长度40或45厘米。',
      ar: 'لؤلؤة واحدة من المياه العذبة على سلسلة رفيعة من ذهب عيار 18، بطول 40 أو 45 سم.',
    },
    tags: ['necklace', 'pendant', 'pearl', 'gift'],
    materials: ['18k gold', 'freshwater pearl'],
    usd: 290,
    options: { length: ['40 cm', '45 cm'] },
  },
  {
    handle: 'herringbone-chain-necklace',
    code: 'HERR',
    category: 'jewellery',
    title: { en: 'Herringbone Chain Necklace', es: 'Collar de cadena espiga' },
    description: {
      en: 'A flat, liquid-looking herringbone chain in 14k gold fill.',
      es: 'Cadena plana de espiga con aspecto líquido en relleno de oro de 14 k.',
    },
    tags: ['necklace', 'chain', 'everyday'],
    materials: ['14k gold fill'],
    usd: 120,
    options: { length: ['40 cm', '45 cm', '50 cm'] },
  },
  {
    handle: 'crescent-moon-necklace',
    code: 'CRES',
    category: 'jewellery',
    title: { en: 'Crescent Moon Necklace', es: 'Collar luna creciente', ar: 'قلادة الهلال' },
    description: {
      en: 'A small crescent moon pendant in sterling silver with a single white topaz.',
      es: 'Pequeño colgante de luna creciente en plata de ley con un topacio blanco.',
      ar: 'قلادة صغيرة على شكل هلال من الفضة الإسترلينية مع حجر توباز أبيض.',
    },
    tags: ['necklace', 'pendant', 'moon', 'gift'],
    materials: ['sterling silver', 'topaz'],
    usd: 85,
    options: { metal: ['Silver', 'Gold vermeil'] },
  },
  {
    handle: 'pearl-stud-earrings',
    code: 'PSTD',
    category: 'jewellery',
    title: { en: 'Pearl Stud Earrings', es: 'Pendientes de botón de perla', zh: '珍珠耳钉' },
    description: {
      en: 'Freshwater pearl studs on 14k gold posts for pierced ears. For hygiene, pierced earrings cannot be returned.',
      es: 'Pendientes de perla de agua dulce con poste de oro de 14 k para orejas perforadas. Por higiene, los pendientes de poste no admiten devolución.',
      zh: '淡水珍珠耳钉，14K金耳针，适合耳洞。出于卫生原因，耳钉不支持退货。',
    },
    tags: ['earrings', 'studs', 'pearl', 'pierced'],
    materials: ['14k gold', 'freshwater pearl'],
    usd: 95,
    options: { size: ['6 mm', '8 mm'] },
    returnable: false,
  },
  {
    handle: 'gold-hoop-earrings',
    code: 'HOOP',
    category: 'jewellery',
    title: { en: 'Gold Hoop Earrings', es: 'Aros de oro', ar: 'أقراط حلقية ذهبية' },
    description: {
      en: 'Classic 18k gold hoops for pierced ears. For hygiene, pierced earrings cannot be returned.',
      es: 'Aros clásicos de oro de 18 k para orejas perforadas. Por higiene, los pendientes para orejas perforadas no admiten devolución.',
      ar: 'أقراط حلقية كلاسيكية من ذهب عيار 18 للآذان المثقوبة. لأسباب صحية لا يمكن إرجاع الأقراط.',
    },
    tags: ['earrings', 'hoops', 'pierced'],
    materials: ['18k gold'],
    usd: 380,
    options: { diameter: ['15 mm', '25 mm', '35 mm'] },
    returnable: false,
    soldOut: ['HOOP-35MM'],
  },
  {
    handle: 'silver-ear-cuff',
    code: 'CUFF',
    category: 'jewellery',
    title: { en: 'Silver Ear Cuff', es: 'Ear cuff de plata' },
    description: {
      en: 'A sculpted ear cuff that needs no piercing, in sterling silver. Returnable like any unworn piece.',
      es: 'Ear cuff esculpido que no necesita perforación, en plata de ley. Se puede devolver como cualquier pieza sin usar.',
    },
    tags: ['earrings', 'ear cuff', 'no piercing'],
    materials: ['sterling silver'],
    usd: 60,
    options: { finish: ['Silver', 'Gold vermeil'] },
  },
  {
    handle: 'tennis-bracelet',
    code: 'TENN',
    category: 'jewellery',
    title: {
      en: 'Lab Diamond Tennis Bracelet',
      es: 'Pulsera riviera de diamantes de laboratorio',
      zh: '培育钻石网球手链',
    },
    description: {
      en: 'Forty lab-grown diamonds in a flexible line of 14k white gold, with a double safety clasp.',
      es: 'Cuarenta diamantes de laboratorio en una línea flexible de oro blanco de 14 k, con doble cierre de seguridad.',
      zh: '四十颗培育钻石镶于14K白金柔性链上，双重安全扣。',
    },
    tags: ['bracelet', 'diamond', 'tennis'],
    materials: ['14k white gold', 'lab-grown diamond'],
    usd: 1650,
    options: { length: ['16 cm', '18 cm'] },
  },
  {
    handle: 'charm-bracelet',
    code: 'CHRM',
    category: 'jewellery',
    title: { en: 'Sterling Charm Bracelet', es: 'Pulsera de charms de plata' },
    description: {
      en: 'A rolo-chain bracelet in sterling silver with three starter charms: a star, a shell and a key.',
      es: 'Pulsera de cadena rolo en plata de ley con tres charms: una estrella, una concha y una llave.',
    },
    tags: ['bracelet', 'charms', 'gift'],
    materials: ['sterling silver'],
    usd: 110,
    options: { length: ['16 cm', '18 cm', '20 cm'] },
  },
];

const APPAREL: ProductSpec[] = [
  {
    handle: 'merino-crew-sweater',
    code: 'MERI',
    category: 'apparel',
    title: { en: 'Merino Crew Sweater', es: 'Jersey de cuello redondo de merino', zh: '美利奴圆领毛衣' },
    description: {
      en: 'A fine-gauge crew-neck sweater in extra-fine merino wool, warm without bulk. Machine washable at 30 °C.',
      es: 'Jersey de cuello redondo de galga fina en lana merino extrafina, abriga sin abultar. Lavable a máquina a 30 °C.',
      zh: '超细美利奴羊毛细针圆领毛衣，保暖轻薄，可30°C机洗。',
    },
    tags: ['sweater', 'jumper', 'knitwear', 'winter'],
    materials: ['merino wool'],
    usd: 129,
    options: { size: APPAREL_SIZES, colour: ['Navy', 'Oatmeal', 'Bottle green'] },
    soldOut: ['MERI-M-NAVY', 'MERI-L-NAVY'],
  },
  {
    handle: 'linen-camp-shirt',
    code: 'LINS',
    category: 'apparel',
    title: { en: 'Linen Camp Shirt', es: 'Camisa de lino de cuello camp', ar: 'قميص كتان' },
    description: {
      en: 'A relaxed short-sleeve shirt in garment-washed European linen with a camp collar.',
      es: 'Camisa holgada de manga corta en lino europeo lavado en prenda, con cuello camp.',
      ar: 'قميص مريح بأكمام قصيرة من الكتان الأوروبي المغسول بياقة مفتوحة.',
    },
    tags: ['shirt', 'summer', 'short sleeve'],
    materials: ['linen'],
    usd: 89,
    options: { size: APPAREL_SIZES, colour: ['White', 'Sky', 'Olive'] },
  },
  {
    handle: 'organic-cotton-tee',
    code: 'TEE',
    category: 'apparel',
    title: { en: 'Organic Cotton Tee', es: 'Camiseta de algodón orgánico', zh: '有机棉T恤' },
    description: {
      en: 'A heavyweight 220 g/m² T-shirt in GOTS-certified organic cotton, pre-shrunk.',
      es: 'Camiseta de gramaje alto (220 g/m²) en algodón orgánico certificado GOTS, preencogida.',
      zh: '220克重GOTS认证有机棉T恤，已预缩水。',
    },
    tags: ['t-shirt', 'tee', 'basics'],
    materials: ['organic cotton'],
    usd: 35,
    options: { size: APPAREL_SIZES, colour: ['White', 'Black', 'Heather grey'] },
  },
  {
    handle: 'cashmere-scarf',
    code: 'CASH',
    category: 'apparel',
    title: { en: 'Cashmere Scarf', es: 'Bufanda de cachemir', zh: '羊绒围巾', ar: 'وشاح كشمير' },
    description: {
      en: 'A generous 200 x 70 cm scarf woven from Mongolian cashmere. One size.',
      es: 'Bufanda amplia de 200 x 70 cm tejida en cachemir de Mongolia. Talla única.',
      zh: '200 x 70厘米蒙古羊绒围巾，均码。',
      ar: 'وشاح كبير بمقاس 200 × 70 سم منسوج من الكشمير المنغولي. مقاس واحد.',
    },
    tags: ['scarf', 'accessories', 'winter', 'gift'],
    materials: ['cashmere'],
    usd: 180,
    options: { colour: ['Camel', 'Charcoal', 'Burgundy'] },
  },
  {
    handle: 'wool-overcoat',
    code: 'COAT',
    category: 'apparel',
    title: { en: 'Double-Faced Wool Overcoat', es: 'Abrigo de lana doble faz', zh: '双面羊毛大衣' },
    description: {
      en: 'A knee-length overcoat in double-faced Italian wool, unlined and hand-finished.',
      es: 'Abrigo hasta la rodilla en lana italiana doble faz, sin forro y rematado a mano.',
      zh: '及膝双面意大利羊毛大衣，无里衬，手工收边。',
    },
    tags: ['coat', 'outerwear', 'winter'],
    materials: ['wool'],
    usd: 420,
    options: { size: APPAREL_SIZES, colour: ['Camel', 'Black'] },
    soldOut: ['COAT-XS-CAMEL'],
  },
  {
    handle: 'selvedge-denim-jeans',
    code: 'DENI',
    category: 'apparel',
    title: { en: 'Selvedge Denim Jeans', es: 'Vaqueros de denim selvedge' },
    description: {
      en: 'Straight-leg jeans in 14 oz Japanese selvedge denim, raw and unwashed. Waist in inches.',
      es: 'Vaqueros de pernera recta en denim selvedge japonés de 14 oz, crudo y sin lavar. Cintura en pulgadas.',
    },
    tags: ['jeans', 'denim', 'trousers'],
    materials: ['cotton', 'denim'],
    usd: 160,
    options: { waist: ['28', '30', '32', '34', '36'], leg: ['30', '32', '34'] },
  },
  {
    handle: 'silk-slip-dress',
    code: 'SLIP',
    category: 'apparel',
    title: { en: 'Silk Slip Dress', es: 'Vestido lencero de seda', zh: '真丝吊带裙', ar: 'فستان حريري' },
    description: {
      en: 'A bias-cut midi slip dress in 22 momme mulberry silk with adjustable straps.',
      es: 'Vestido lencero midi cortado al bies en seda de morera de 22 momme, con tirantes ajustables.',
      zh: '斜裁中长款吊带裙，22姆米桑蚕丝，肩带可调节。',
      ar: 'فستان متوسط الطول مقصوص بشكل مائل من حرير التوت بوزن 22 مومي بأحزمة قابلة للتعديل.',
    },
    tags: ['dress', 'evening', 'silk'],
    materials: ['silk'],
    usd: 240,
    options: { size: APPAREL_SIZES, colour: ['Champagne', 'Black', 'Emerald'] },
  },
  {
    handle: 'linen-abaya',
    code: 'ABAY',
    category: 'apparel',
    title: { en: 'Linen Open Abaya', es: 'Abaya abierta de lino', ar: 'عباية كتان مفتوحة' },
    description: {
      en: 'A light, open-front abaya in washed linen with wide sleeves and a matching belt.',
      es: 'Abaya ligera abierta por delante en lino lavado, con mangas amplias y cinturón a juego.',
      ar: 'عباية خفيفة مفتوحة من الأمام من الكتان المغسول بأكمام واسعة وحزام مطابق.',
    },
    tags: ['abaya', 'modest', 'summer'],
    materials: ['linen'],
    usd: 150,
    options: { size: ['S', 'M', 'L'], colour: ['Sand', 'Black', 'Dusty rose'] },
  },
  {
    handle: 'mandarin-collar-silk-blouse',
    code: 'MAND',
    category: 'apparel',
    title: { en: 'Mandarin-Collar Silk Blouse', es: 'Blusa de seda con cuello mao', zh: '立领真丝衬衫' },
    description: {
      en: 'A sand-washed silk blouse with a mandarin collar and knotted frog buttons.',
      es: 'Blusa de seda lavada a la arena con cuello mao y botones de alamar anudados.',
      zh: '砂洗真丝立领衬衫，配盘扣。',
    },
    tags: ['blouse', 'shirt', 'silk'],
    materials: ['silk'],
    usd: 175,
    options: { size: APPAREL_SIZES, colour: ['Ivory', 'Jade'] },
  },
  {
    handle: 'leather-court-sneakers',
    code: 'SNKR',
    category: 'apparel',
    title: { en: 'Leather Court Sneakers', es: 'Zapatillas de piel', zh: '真皮板鞋' },
    description: {
      en: 'Minimal low-top sneakers in full-grain leather on a stitched natural-rubber sole. EU sizes.',
      es: 'Zapatillas bajas minimalistas en piel plena con suela de caucho natural cosida. Tallas europeas.',
      zh: '极简低帮头层牛皮板鞋，缝制天然橡胶鞋底，欧码。',
    },
    tags: ['shoes', 'sneakers', 'trainers'],
    materials: ['leather', 'rubber'],
    usd: 195,
    options: { size: ['37', '38', '39', '40', '41', '42', '43', '44', '45'], colour: ['White', 'Black'] },
    soldOut: ['SNKR-42-WHITE'],
  },
  {
    handle: 'packable-rain-jacket',
    code: 'RAIN',
    category: 'apparel',
    title: { en: 'Packable Rain Jacket', es: 'Chaqueta impermeable plegable' },
    description: {
      en: 'A seam-sealed waterproof shell (20,000 mm) that packs into its own pocket.',
      es: 'Chaqueta impermeable con costuras selladas (20.000 mm) que se guarda en su propio bolsillo.',
    },
    tags: ['jacket', 'outerwear', 'rain', 'travel'],
    materials: ['recycled nylon'],
    usd: 140,
    options: { size: APPAREL_SIZES, colour: ['Yellow', 'Navy'] },
  },
  {
    handle: 'merino-socks-3-pack',
    code: 'SOCK',
    category: 'apparel',
    title: { en: 'Merino Socks, 3-Pack', es: 'Calcetines de merino, pack de 3' },
    description: {
      en: 'Cushioned everyday socks in merino blend. For hygiene, socks cannot be returned once opened.',
      es: 'Calcetines acolchados de uso diario en mezcla de merino. Por higiene, no se aceptan devoluciones una vez abiertos.',
    },
    tags: ['socks', 'basics'],
    materials: ['merino wool', 'nylon'],
    usd: 32,
    options: { size: ['S', 'M', 'L'] },
    returnable: false,
  },
  {
    handle: 'wide-leg-linen-trousers',
    code: 'TROU',
    category: 'apparel',
    title: { en: 'Wide-Leg Linen Trousers', es: 'Pantalón ancho de lino', ar: 'بنطال كتان واسع' },
    description: {
      en: 'High-rise wide-leg trousers in heavyweight linen with an elasticated back waist.',
      es: 'Pantalón de tiro alto y pernera ancha en lino grueso, con cintura elástica en la espalda.',
      ar: 'بنطال بخصر عالٍ وأرجل واسعة من الكتان الثقيل مع خصر مطاطي من الخلف.',
    },
    tags: ['trousers', 'pants', 'summer'],
    materials: ['linen'],
    usd: 110,
    options: { size: APPAREL_SIZES, colour: ['Natural', 'Black'] },
  },
];

export function demoCatalog(): Product[] {
  return [...FURNITURE, ...JEWELLERY, ...APPAREL].map(expand);
}
