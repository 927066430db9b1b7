import { describe, expect, it } from 'vitest';
import { assignNames, envName, fitName, nameFromRoute, packageName, sanitizeName } from '../../src/lower/naming.js';

describe('naming', () => {
  it.each([
    ['getPet', 'getPet'],
    ['pets.list', 'pets_list'],
    ['  weird name!! ', 'weird_name'],
    ['a__b', 'a_b'],
    ['Überprüfen', 'berpr_fen'],
  ])('sanitizes %j → %j', (raw, want) => expect(sanitizeName(raw)).toBe(want));

  it('derives a name from method and route', () => {
    expect(nameFromRoute('GET', '/pets/{petId}/toys')).toBe('get_pets_petId_toys');
    expect(nameFromRoute('POST', '/')).toBe('post');
  });

  it('cuts long names with a stable hash suffix', () => {
    const long = 'a'.repeat(100);
    const cut = fitName(long, 64, 'GET /a');
    expect(cut).toHaveLength(64);
    expect(cut).toMatch(/^a+_[0-9a-f]{6}$/);
    expect(fitName(long, 64, 'GET /a')).toBe(cut);
    expect(fitName(long, 64, 'GET /b')).not.toBe(cut);
  });

  it('settles clashes by operation identity, so adding an operation renames nothing that exists', () => {
    const a = { wanted: 'list.pets', identity: 'GET /pets', verbatim: false };
    const b = { wanted: 'list_pets', identity: 'GET /v2/pets', verbatim: true };
    const before = assignNames([b], 64);
    const after = assignNames([a, b], 64);
    expect(before).toEqual(['list_pets']);
    expect(after[1]).toBe('list_pets');
    expect(after[0]).toMatch(/^list_pets_[0-9a-f]{6}$/);
    // Unrelated additions never change existing names.
    const c = { wanted: 'other', identity: 'GET /other', verbatim: true };
    expect(assignNames([a, b, c], 64).slice(0, 2)).toEqual(after);
  });

  it('keeps names apart that clients turning - into _ would merge; the one already in that form keeps its name', () => {
    const dash = { wanted: 'get-thing', identity: 'GET /things/{id}', verbatim: true };
    const under = { wanted: 'get_thing', identity: 'POST /things', verbatim: true };
    for (const order of [[dash, under], [under, dash]]) {
      const names = assignNames(order, 64);
      expect(names[order.indexOf(under)]).toBe('get_thing');
      expect(names[order.indexOf(dash)]).toMatch(/^get-thing_[0-9a-f]{6}$/);
      expect(new Set(names.map((n) => n.replace(/-/g, '_'))).size).toBe(2);
    }
  });

  it('makes names that match the MCP client pattern', () => {
    const names = assignNames(
      ['x'.repeat(200), 'a b c', '$$$', '-lead'].map((w, i) => ({ wanted: w, identity: `GET /${i}`, verbatim: false })),
      64,
    );
    for (const n of names) expect(n).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(new Set(names).size).toBe(names.length);
  });

  it('derives package and env names', () => {
    expect(packageName('Swagger Petstore - OpenAPI 3.0')).toBe('swagger-petstore-openapi-3-0');
    expect(packageName('!!!')).toBe('mcp-server');
    expect(envName('petstore', 'apiKey')).toBe('PETSTORE_API_KEY');
    expect(envName('my-api', 'bearerAuth', 'TOKEN')).toBe('MY_API_BEARER_AUTH_TOKEN');
  });
});

describe('hash collisions', () => {
  it('two cut names whose 6-digit hashes collide get longer hashes, and stay unique', () => {
    // These two identities share the hash b97088 (found by search), and their names share a prefix.
    const requests = ['GET /items/839/$count', 'GET /items/3277/$count'].map((identity) => ({ wanted: 'Get_Count_of_items_in_the_collection', identity, verbatim: false }));
    const names = assignNames(requests, 16);
    expect(new Set(names).size).toBe(2);
    expect(names.every((n) => n.length <= 16)).toBe(true);
    expect(names.map((n) => n.split('_').pop()!.length)).toEqual([8, 8]);
  });
});

