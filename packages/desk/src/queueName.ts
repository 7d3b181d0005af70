/** A queue is named by what it needs: "after_sales:es" waits for someone with both. */
export function queueName(skill: string, language: string): string {
  return `${skill}:${language}`;
}
