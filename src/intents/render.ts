/** Fills `{{name}}` placeholders from `vars`; an unknown one becomes empty (the output guard and the lint catch it). */
export function renderTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_match, name: string) => vars[name] ?? '').trim();
}
