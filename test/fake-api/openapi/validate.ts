/**
 * Validates values against the trimmed OpenAPI 3.1 description of the Batch and Files endpoints
 * (batch-files.openapi.json) with Ajv, whose JSON Schema 2020-12 dialect OpenAPI 3.1 uses. Schemas
 * are named by JSON pointers into the description (`#/components/schemas/Batch`), so its local
 * `$ref`s resolve as written. OpenAPI's own keywords (`example`, `x-…`) are declared as
 * annotations, and its formats (`unixtime`, `int64`, `binary`) are checked for what they say.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';

export type Schema = Record<string, unknown>;

/** A JSON pointer into the description, as a `$ref` would write it: `#/components/schemas/Batch`. */
export type SchemaRef = `#/${string}`;

export interface Description {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
  'x-source': { repository: string; file: string; commit: string };
}

export interface Operation {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

export interface ValidationOptions {
  /**
   * The one deviation allowed: `null` where the schema types a property as a non-null value,
   * for properties the schema does not require, and for the list cursors `first_id`/`last_id`
   * (null on an empty list). The description's own examples do the same (`"output_file_id":
   * null`, `"completed_at": null`), and so does the API. Validates against a copy of the
   * description in which exactly those properties also accept `null` (see
   * {@link SchemaValidator.nullDeviations}); each `null` accepted that way is counted in `nulls`.
   */
  allowNullForOptional?: boolean;
}

export interface ValidationReport {
  errors: string[];
  /** Where a `null` was accepted under {@link ValidationOptions.allowNullForOptional}: `$.data[0].output_file_id`. */
  nulls: string[];
}

const CURSORS = new Set(['first_id', 'last_id']);
/** The `$id` each copy of the description is registered under. */
const AS_PUBLISHED = 'https://github.com/openai/openai-openapi/batch-files.openapi.json';
const WITH_NULLS = 'https://github.com/openai/openai-openapi/batch-files.openapi.json?null-deviation';
/** Marks the `null` branch the deviation adds; an annotation that records where it was used. */
const NULL_DEVIATION = 'x-null-deviation';

/** The trimmed description committed under test/fake-api/openapi/ (see trim.ts). */
export function loadDescription(): Description {
  // From out/test/fake-api/openapi/ back to the source tree, where the JSON is not copied.
  const file = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fake-api', 'openapi', 'batch-files.openapi.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Description;
}

export class SchemaValidator {
  /** The properties that also accept `null` under {@link ValidationOptions.allowNullForOptional}, as pointers. */
  readonly nullDeviations: SchemaRef[] = [];
  /** Schemas as published: JSON bodies and responses. */
  private readonly strict: Ajv2020;
  /** As published, reading text (query values, multipart fields) as the schema's type: `"20"` as 20. */
  private readonly text: Ajv2020;
  /** With the null deviation. */
  private readonly lenient: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  /** Where the deviation's `null` branch matched during the current validation. */
  private nullsSeen: string[] = [];

  constructor(private readonly description: Description) {
    const annotations = [...openApiKeywords(description), NULL_DEVIATION];
    this.strict = newAjv(annotations, { coerceTypes: false });
    this.text = newAjv(annotations, { coerceTypes: true });
    this.lenient = newAjv(
      annotations.filter((k) => k !== NULL_DEVIATION),
      { coerceTypes: false },
    );
    this.lenient.addKeyword({
      keyword: NULL_DEVIATION,
      type: 'null',
      schemaType: 'boolean',
      errors: false,
      validate: (_schema: boolean, _data: unknown, _parent?: unknown, context?: { instancePath: string }) => {
        this.nullsSeen.push(context?.instancePath ?? '');
        return true;
      },
    });
    this.strict.addSchema({ $id: AS_PUBLISHED, ...description });
    this.text.addSchema({ $id: AS_PUBLISHED, ...description });
    this.lenient.addSchema({ $id: WITH_NULLS, ...this.withNullDeviation(description) });
  }

  /** A component schema, e.g. `Batch`. */
  component(name: string): SchemaRef {
    if (!this.description.components.schemas[name]) throw new Error(`no schema ${name} in the description`);
    return `#/components/schemas/${pointerPart(name)}`;
  }

  /** The schema a pointer names, as published, to look into (not to validate with). */
  schemaAt(ref: SchemaRef): Schema {
    const schema = ref
      .slice(2)
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], this.description);
    if (typeof schema !== 'object' || schema === null) throw new Error(`nothing at ${ref}`);
    return schema as Schema;
  }

  operation(method: string, pathTemplate: string): Operation {
    const operation = this.description.paths[pathTemplate]?.[method.toLowerCase()];
    if (!operation) throw new Error(`no ${method} ${pathTemplate} in the description`);
    return operation;
  }

  /** The schema of an operation's 200 response for a media type. */
  responseSchema(method: string, pathTemplate: string, mediaType = 'application/json'): SchemaRef {
    if (!this.operation(method, pathTemplate).responses['200']?.content?.[mediaType]?.schema) {
      throw new Error(`no 200 ${mediaType} response for ${method} ${pathTemplate}`);
    }
    return `${operationRef(method, pathTemplate)}/responses/200/content/${pointerPart(mediaType)}/schema`;
  }

  /** The schema of an operation's request body for a media type. */
  requestSchema(method: string, pathTemplate: string, mediaType: string): SchemaRef {
    if (!this.operation(method, pathTemplate).requestBody?.content[mediaType]?.schema) {
      throw new Error(`no ${mediaType} request body for ${method} ${pathTemplate}`);
    }
    return `${operationRef(method, pathTemplate)}/requestBody/content/${pointerPart(mediaType)}/schema`;
  }

  validate(value: unknown, ref: SchemaRef, options: ValidationOptions = {}): ValidationReport {
    const lenient = options.allowNullForOptional === true;
    const validate = this.compile(lenient ? this.lenient : this.strict, `${lenient ? WITH_NULLS : AS_PUBLISHED}${ref}`);
    this.nullsSeen = [];
    const valid = validate(value);
    return {
      errors: valid ? [] : (validate.errors ?? []).map(describeError),
      nulls: valid ? this.nullsSeen.map(dotted) : [],
    };
  }

  /**
   * Checks values written as text (a multipart form's fields, nested by their bracketed names)
   * against a schema as published, reading each as its schema's type.
   */
  validateText(fields: Record<string, unknown>, ref: SchemaRef): string[] {
    const validate = this.compile(this.text, `${AS_PUBLISHED}${ref}`);
    // Ajv writes the types it reads into the value: a copy keeps the caller's.
    return validate(structuredClone(fields)) ? [] : (validate.errors ?? []).map(describeError);
  }

  /**
   * Checks a query against an operation's parameters: unknown names, missing required ones, and
   * values that do not read as their schema's type.
   */
  validateQuery(method: string, pathTemplate: string, query: Record<string, string>): string[] {
    const operation = operationRef(method, pathTemplate);
    const parameters = (this.operation(method, pathTemplate).parameters ?? [])
      .map((parameter, index) => ({ ...parameter, ref: `${AS_PUBLISHED}${operation}/parameters/${index}/schema` }))
      .filter((parameter) => parameter.in === 'query');
    const schema = {
      type: 'object',
      properties: Object.fromEntries(parameters.map((p) => [p.name, { $ref: p.ref }])),
      required: parameters.filter((p) => p.required).map((p) => p.name),
      additionalProperties: false,
    };
    const validate = this.compile(this.text, `query ${operation}`, schema);
    return validate({ ...query }) ? [] : (validate.errors ?? []).map((error) => `query${describeError(error).slice(1)}`);
  }

  /** The validator of `{ $ref: ref }`, or of `schema` when given (named `ref`), compiled once. */
  private compile(ajv: Ajv2020, ref: string, schema: Schema = { $ref: ref }): ValidateFunction {
    const key = `${ajv === this.strict ? 'strict' : ajv === this.text ? 'text' : 'lenient'} ${ref}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    return validate;
  }

  /**
   * A copy of the description in which every property that is optional (or a list cursor), and
   * whose schema as published refuses `null`, becomes `anyOf: [its schema, null]`. Whether a
   * schema refuses `null` is asked of Ajv, against the description as published.
   */
  private withNullDeviation(description: Description): Description {
    const copy = structuredClone(description);
    const visit = (node: unknown, pointer: SchemaRef): void => {
      if (Array.isArray(node)) {
        node.forEach((item, index) => visit(item, `${pointer}/${index}`));
        return;
      }
      if (typeof node !== 'object' || node === null) return;
      const schema = node as Schema;
      for (const [key, child] of Object.entries(schema)) {
        if (key === 'properties') continue;
        visit(child, `${pointer}/${pointerPart(key)}`);
      }
      if (typeof schema.properties !== 'object' || schema.properties === null) return;
      const properties = schema.properties as Record<string, Schema>;
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      for (const [name, property] of Object.entries(properties)) {
        const at: SchemaRef = `${pointer}/properties/${pointerPart(name)}`;
        visit(property, at);
        if (required.includes(name) && !CURSORS.has(name)) continue;
        if (this.compile(this.strict, `${AS_PUBLISHED}${at}`)(null)) continue;
        properties[name] = { anyOf: [property, { type: 'null', [NULL_DEVIATION]: true }] };
        this.nullDeviations.push(at);
      }
    };
    visit(copy.components, '#/components');
    visit(copy.paths, '#/paths');
    return copy;
  }
}

function newAjv(annotations: string[], options: { coerceTypes: boolean }): Ajv2020 {
  // Strict, except for strictTypes, a style rule the description does not follow (OpenAIFile has
  // `properties` and `required` but no `type: object`); what it validates is the same.
  const ajv = new Ajv2020({ strict: true, strictTypes: false, allErrors: true, verbose: true, ...options });
  ajv.addVocabulary(annotations);
  // OpenAPI's formats, checked for what their names say.
  ajv.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  // A multipart file part: its content is not JSON, so there is nothing to check.
  ajv.addFormat('binary', true);
  return ajv;
}

/** OpenAPI's keywords the description uses that JSON Schema does not define: `example`, `x-…`, and its root's. */
function openApiKeywords(description: Description): string[] {
  const found = new Set(['openapi', 'info', 'paths', 'components', 'x-source', 'example']);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        if (key.startsWith('x-')) found.add(key);
        visit(child);
      }
    }
  };
  visit(description);
  return [...found];
}

function operationRef(method: string, pathTemplate: string): SchemaRef {
  return `#/paths/${pointerPart(pathTemplate)}/${method.toLowerCase()}`;
}

function pointerPart(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `/data/0/output_file_id` → `$.data[0].output_file_id`. */
function dotted(instancePath: string): string {
  return `$${instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')}`;
}

/** `$.data[3].status: must be equal to one of the allowed values ["validating",…], got "Completed"`. */
function describeError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const detail =
    'allowedValues' in params
      ? ` ${JSON.stringify(params.allowedValues)}`
      : 'additionalProperty' in params
        ? `: ${String(params.additionalProperty)}`
        : '';
  const data = error.keyword === 'required' || error.keyword === 'additionalProperties' ? '' : `, got ${shown(error.data)}`;
  return `${dotted(error.instancePath)}: ${error.message ?? error.keyword}${detail}${data}`;
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
