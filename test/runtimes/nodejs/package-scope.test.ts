import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isModulePackage } from '../../../src/runtimes/nodejs/handler-loader.js';
import { makeTaskRoot } from './harness.js';

// Unit level on purpose: Node's own loader also walks up to decide a .js file's format, so an
// end-to-end test of a task root nested in a "type":"module" tree measures Node, not the runtime.
describe('package.json "type" lookup', () => {
  it('uses the nearest package.json at or below the task root', () => {
    const taskRoot = makeTaskRoot({ 'package.json': '{"type":"module"}', 'src/api/package.json': '{}' });
    expect(isModulePackage(path.join(taskRoot, 'src/api'), taskRoot)).toBe(false);
    expect(isModulePackage(path.join(taskRoot, 'src'), taskRoot)).toBe(true);
  });

  it('never looks above the task root', () => {
    const outside = makeTaskRoot({ 'package.json': '{"type":"module"}' });
    const taskRoot = makeTaskRoot({ 'lib/index.js': '' }, outside);
    expect(isModulePackage(path.join(taskRoot, 'lib'), taskRoot)).toBe(false);
    expect(isModulePackage(taskRoot, path.dirname(taskRoot))).toBe(true);
  });

  it('stops at a node_modules directory', () => {
    const taskRoot = makeTaskRoot({ 'package.json': '{"type":"module"}', 'node_modules/dep/lib/x.js': '' });
    expect(isModulePackage(path.join(taskRoot, 'node_modules/dep/lib'), taskRoot)).toBe(false);
  });
});
