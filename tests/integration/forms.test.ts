import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The forms of app/, checked over the source: a form whose `action` is a function (a server
// action, or useActionState's dispatch) gets its encType and method from React, multipart POST, so
// the form works without JavaScript. Setting them too makes React warn in the browser console
// ("Cannot specify a encType or method for a form that specifies a function as the action") in
// development, and they are overridden anyway. The same holds for a button's formAction.

const APP = path.resolve(import.meta.dirname, '../../app');

function tsxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return tsxFiles(full);
    return name.endsWith('.tsx') ? [full] : [];
  });
}

const REACT_SETS = {
  action: ['encType', 'method', 'target'],
  formAction: ['formEncType', 'formMethod', 'formTarget'],
} as const;

/** `file:line <tag>` for each element with a function action and an attribute React sets itself. */
function conflictingForms(file: string, text = readFileSync(file, 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isJsxOpeningElement(node) || ts.isJsxSelfClosingElement(node)) {
      const attributes = new Map<string, ts.JsxAttribute>();
      for (const attribute of node.attributes.properties)
        if (ts.isJsxAttribute(attribute)) attributes.set(attribute.name.getText(source), attribute);
      for (const [actionName, setByReact] of Object.entries(REACT_SETS)) {
        const action = attributes.get(actionName);
        // A string is a URL, which may come with its own encType and method; an expression is
        // (in this code base) a function.
        if (!action?.initializer || !ts.isJsxExpression(action.initializer)) continue;
        const extra = setByReact.filter((name) => attributes.has(name));
        if (extra.length === 0) continue;
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        const tag = node.tagName.getText(source);
        found.push(`${path.relative(APP, file)}:${line + 1} <${tag}> ${extra.join(', ')}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('forms', () => {
  it('no form with a function action also sets encType, method or target (React sets them and warns)', () => {
    const files = tsxFiles(APP);
    expect(files.length).toBeGreaterThan(20);
    expect(files.flatMap((file) => conflictingForms(file))).toEqual([]);
  });

  it('the check finds such a form, and lets a form posting to a URL keep its own', () => {
    const sample = path.join(APP, 'sample.tsx');
    const text = [
      'export const F = ({ a }) => (',
      '  <form action={a} encType="multipart/form-data" method="post">',
      '    <button formAction={a} formMethod="post" />',
      '    <form action="/search" method="get" />',
      '  </form>',
      ');',
    ].join('\n');
    expect(conflictingForms(sample, text)).toEqual([
      'sample.tsx:2 <form> encType, method',
      'sample.tsx:3 <button> formMethod',
    ]);
  });
});
