// js-yaml 4 ships no types (and @types/js-yaml would be one more download for one function).
// The subset the tests use; keep it faithful to js-yaml 4.
declare module 'js-yaml' {
  /** Parses one YAML document (YAML 1.2 core schema: `on` stays a string). Throws YAMLException on bad YAML. */
  export function load(text: string, options?: { filename?: string }): unknown;
}
