import type { StaffDirectory } from './StaffDirectory.ts';
import type { NewStaff, StaffMember } from './StaffDirectoryTypes.ts';

/** Passwords come from whoever seeds (config, environment, a prompt): none is baked in here. */
export interface DemoStaffPasswords {
  admin: string;
  supervisor: string;
  agent: string;
}

type DemoMember = Omit<NewStaff, 'password'> & { role: NonNullable<NewStaff['role']> };

/**
 * A small desk that covers the demo shop's customers: every language the widget offers has at
 * least one agent for after-sales and one for sales, and most can take a video call.
 */
export const DEMO_STAFF: readonly DemoMember[] = [
  {
    email: 'admin@desk.example',
    name: 'Desk Admin',
    role: 'admin',
    skills: ['after_sales', 'sales', 'video'],
    languages: ['en'],
  },
  {
    email: 'sofia@desk.example',
    name: 'Sofía Martín',
    role: 'supervisor',
    skills: ['after_sales', 'sales', 'video'],
    languages: ['en', 'es'],
  },
  {
    email: 'emma@desk.example',
    name: 'Emma Clarke',
    role: 'agent',
    skills: ['after_sales', 'sales', 'product:furniture'],
    languages: ['en'],
  },
  {
    email: 'ana@desk.example',
    name: 'Ana García',
    role: 'agent',
    skills: ['after_sales', 'sales', 'video'],
    languages: ['es', 'en'],
  },
  {
    email: 'lucas@desk.example',
    name: 'Lucas Bernard',
    role: 'agent',
    skills: ['after_sales', 'sales'],
    languages: ['fr', 'en'],
  },
  {
    email: 'jonas@desk.example',
    name: 'Jonas Weber',
    role: 'agent',
    skills: ['after_sales', 'sales', 'product:furniture', 'video'],
    languages: ['de', 'en'],
  },
  {
    email: 'layla@desk.example',
    name: 'Layla Haddad',
    role: 'agent',
    skills: ['after_sales', 'sales', 'video'],
    languages: ['ar', 'fr', 'en'],
  },
  {
    email: 'wei@desk.example',
    name: 'Wei Chen',
    role: 'agent',
    skills: ['after_sales', 'sales', 'video'],
    languages: ['zh', 'en'],
  },
];

/**
 * Creates the demo desk's accounts that do not exist yet and returns all of them. Running it
 * again changes nothing: existing accounts keep their passwords, skills and status.
 */
export async function seedDemoStaff(
  directory: StaffDirectory,
  passwords: DemoStaffPasswords,
): Promise<StaffMember[]> {
  const members: StaffMember[] = [];
  for (const demo of DEMO_STAFF) {
    const existing = directory.byEmail(demo.email);
    if (existing) {
      members.push(existing);
      continue;
    }
    const password = demo.role === 'agent' ? passwords.agent : passwords[demo.role];
    members.push(await directory.createStaff({ ...demo, password }));
  }
  return members;
}
