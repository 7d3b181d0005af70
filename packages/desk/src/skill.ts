import { DeskError } from './DeskError.ts';

/**
 * Skills are plain lowercase names matched exactly ('after_sales', 'video'); a colon scopes one
 * ('product:furniture'). Having 'product:furniture' says nothing about 'product:lighting'.
 */
export function normalizeSkill(skill: string): string {
  const normalized = skill.trim().toLowerCase();
  if (!/^[a-z0-9_]+(:[a-z0-9_-]+)*$/.test(normalized)) {
    throw new DeskError('INVALID_INPUT', `"${skill}" is not a skill name (letters, digits, _ and :)`);
  }
  return normalized;
}

export function normalizeSkills(skills: readonly string[]): string[] {
  return [...new Set(skills.map(normalizeSkill))];
}
