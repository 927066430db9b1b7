// json-schema-merge-allof ships no types; strict-schema.ts states the one call it makes.
declare module 'json-schema-merge-allof' {
  const mergeAllOf: unknown;
  export default mergeAllOf;
}
