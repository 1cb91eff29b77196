import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDeep, renderTemplate } from '../../src/remediate/index.js';

const vars = { service: 'checkout', incident: { id: 'inc-7', services: ['checkout', 'cart'] }, labels: { namespace: 'shop' }, steps: { scale: { changed: { previousReplicas: 3 } } } };

test('paths, lists, defaults, URL escaping and JSON', () => {
  assert.equal(renderTemplate('/ns/{{ labels.namespace }}/deploy/{{service}}', vars), '/ns/shop/deploy/checkout');
  assert.equal(renderTemplate('{{ incident.services }}', vars), 'checkout,cart');
  assert.equal(renderTemplate('{{ steps.scale.changed.previousReplicas }}', vars), '3');
  assert.equal(renderTemplate('{{ labels.pod | default "any" }}', vars), 'any');
  assert.equal(renderTemplate('q={{ incident.id | urlquery }}&s={{ labels.namespace | urlquery }}', { ...vars, incident: { id: 'a b/c' } }), 'q=a%20b%2Fc&s=shop');
  assert.equal(renderTemplate('{{ incident | json }}', { incident: { id: 'x' } }), '{"id":"x"}');
  assert.deepEqual(renderDeep({ name: '{{ service }}', replicas: 3, tags: ['{{ labels.namespace }}'] }, vars), { name: 'checkout', replicas: 3, tags: ['shop'] });
});

test('a missing value is an error, never an empty string in a command or URL', () => {
  assert.throws(() => renderTemplate('kubectl rollout restart deploy/{{ labels.deployment }}', vars), /\{\{ labels\.deployment \}\} has no value/);
  assert.throws(() => renderTemplate('{{ service', vars), /cannot parse/);
});
