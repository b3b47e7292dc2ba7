// The runtime's stylesheets are whole: every block closed, none closed
// twice (under node, no browser).  A brace lost in an edit does not fail in
// a browser; it silently moves every later rule into the block before it
// (a media query for narrow screens, say), so a test reads the text.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sheets = ['web/src/ducksite.css', 'web/src/console/console.css', 'web/src/netview/netview.css'];

/** Depth of braces line by line, outside comments and strings; throws at the first fault. */
function checkBraces(text, name) {
  let depth = 0;
  let line = 1;
  let opened = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      assert.ok(end >= 0, `${name}:${line}: a comment is never closed`);
      line += text.slice(i, end).split('\n').length - 1;
      i = end + 1;
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      assert.ok(end >= 0, `${name}:${line}: a string is never closed`);
      i = end;
    } else if (c === '{') {
      depth++;
      opened.push(line);
    } else if (c === '}') {
      assert.ok(depth > 0, `${name}:${line}: '}' closes nothing`);
      depth--;
      opened.pop();
    }
  }
  assert.equal(depth, 0, `${name}: the block opened on line ${opened.at(-1)} is never closed`);
}

for (const sheet of sheets) {
  test(`${sheet} has every block closed`, () => {
    checkBraces(fs.readFileSync(path.join(root, sheet), 'utf8'), sheet);
  });
}

test('a lost brace is found', () => {
  assert.throws(() => checkBraces('@media (max-width: 600px) {\n  .a { b: c; }\n\n.d { e: f; }\n', 'x.css'),
    /line 1 is never closed/);
  assert.throws(() => checkBraces('.a { b: c; } }\n', 'x.css'), /x\.css:1: '}' closes nothing/);
  checkBraces('/* { */ .a { content: "}"; }\n', 'x.css');
});
