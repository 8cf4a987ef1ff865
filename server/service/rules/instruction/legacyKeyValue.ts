// BH016: `ENV KEY value` (and `LABEL key value`) is the legacy, deprecated form. It takes the
// whole rest of the line as the value, which surprises people who expect `ENV A 1 B 2` to set
// two variables; `KEY=value` is unambiguous.
import { Env, Label, type Property } from 'dockerfile-ast';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { RuleFix, Rule } from '../rule';
import { documentOf, insert, lineText, replace, textOf } from './support';

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** The `KEY=value` rewrite, or undefined when the value's quoting makes a rewrite risky. */
function rewrite(property: Property, document: TextDocument, escapeChar: string): RuleFix | undefined {
  const valueRange = property.getValueRange();
  if (!valueRange) return undefined;
  for (let line = valueRange.start.line + 1; line <= valueRange.end.line; line++) {
    if (lineText(document, line).trimStart().startsWith('#')) return undefined; // comment in a continuation
  }
  const raw = textOf(document, valueRange);
  const joined = raw.replace(new RegExp(`${escapeRegExp(escapeChar)}[ \\t]*\\r?\\n`, 'g'), '');
  // The separator (spaces, or an escaped newline and indentation) becomes '='; the value starts
  // where the legacy form's value started, so leading whitespace does not change.
  const separator = { start: property.getNameRange().end, end: valueRange.start };
  const title = `Rewrite as ${property.getName()}=...`;
  const singleWord = !/\s/.test(joined) || /^"[^"\\]*"$|^'[^']*'$/.test(joined);
  if (singleWord) return { title, edits: [replace(separator, '=')] };
  // Quoting a value that already contains quotes or escapes could change what it expands to.
  if (/["']/.test(joined) || joined.includes(escapeChar)) return undefined;
  return { title, edits: [replace(separator, '="'), insert(valueRange.end, '"')] };
}

export const legacyKeyValueFormat: Rule = {
  id: 'BH016',
  hadolint: [],
  name: 'legacy-key-value-format',
  defaultSeverity: 'warning',
  description: 'The space-separated `ENV key value` form is deprecated and easy to misread; use `key=value`.',
  check(ctx) {
    const document = documentOf(ctx.dockerfile, ctx.content);
    const escapeChar = ctx.dockerfile.getEscapeCharacter();
    return ctx.dockerfile.getInstructions().flatMap((instruction) => {
      if (!(instruction instanceof Env) && !(instruction instanceof Label)) return [];
      const properties = instruction.getProperties();
      const [property] = properties;
      // Legacy form: a single name, no '=', and a value (a lone name is a different error).
      if (properties.length !== 1 || property.getAssignmentOperator() !== null || property.getValue() === null) return [];
      const keyword = instruction.getKeyword();
      const name = property.getName();
      const fix = rewrite(property, document, escapeChar);
      const message = `'${keyword} ${name} value' is the deprecated legacy form, which takes the rest of the line as one value; write ${keyword} ${name}=value.`;
      return [fix ? { range: property.getNameRange(), message, fix } : { range: property.getNameRange(), message }];
    });
  },
};
