/**
 * A small validator for the JSON Schema that OpenAI's OpenAPI 3.1 description uses for the Batch
 * and Files endpoints: `type` (one or several), `enum`, `required`, `properties`,
 * `additionalProperties`, `items`, `anyOf`/`oneOf`/`allOf`, local `$ref`s, `minimum`/`maximum`.
 * Anything else in a schema (formats, descriptions, `x-…`) is not checked. Hand-written so the
 * tests need no new dependency; `openapiConformance.test.ts` shows it catches what it should.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Schema = Record<string, unknown>;

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
   * null`, `"completed_at": null`), and so does the API. Each use is counted in `nulls`.
   */
  allowNullForOptional?: boolean;
}

export interface ValidationReport {
  errors: string[];
  /** Where a `null` was accepted under {@link ValidationOptions.allowNullForOptional}. */
  nulls: string[];
}

const CURSORS = new Set(['first_id', 'last_id']);

/** The trimmed description committed under test/fake-api/openapi/ (see trim.ts). */
export function loadDescription(): Description {
  // From out/test/fake-api/openapi/ back to the source tree, where the JSON is not copied.
  const file = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fake-api', 'openapi', 'batch-files.openapi.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Description;
}

export class SchemaValidator {
  constructor(private readonly description: Description) {}

  /** The schema of a component, e.g. `Batch`. */
  component(name: string): Schema {
    const schema = this.description.components.schemas[name];
    if (!schema) throw new Error(`no schema ${name} in the description`);
    return schema;
  }

  operation(method: string, pathTemplate: string): Operation {
    const operation = this.description.paths[pathTemplate]?.[method.toLowerCase()];
    if (!operation) throw new Error(`no ${method} ${pathTemplate} in the description`);
    return operation;
  }

  /** The schema of an operation's 200 response, or of its request body, for a media type. */
  responseSchema(method: string, pathTemplate: string, mediaType = 'application/json'): Schema {
    const schema = this.operation(method, pathTemplate).responses['200']?.content?.[mediaType]?.schema;
    if (!schema) throw new Error(`no 200 ${mediaType} response for ${method} ${pathTemplate}`);
    return schema;
  }

  requestSchema(method: string, pathTemplate: string, mediaType: string): Schema {
    const schema = this.operation(method, pathTemplate).requestBody?.content[mediaType]?.schema;
    if (!schema) throw new Error(`no ${mediaType} request body for ${method} ${pathTemplate}`);
    return schema;
  }

  validate(value: unknown, schema: Schema, options: ValidationOptions = {}, at = '$'): ValidationReport {
    const report: ValidationReport = { errors: [], nulls: [] };
    this.check(value, schema, options, at, report);
    return report;
  }

  /**
   * Checks a query against an operation's parameters: unknown names, missing required ones, and
   * values that do not read as their schema's type (query values are text: integers are parsed).
   */
  validateQuery(method: string, pathTemplate: string, query: Record<string, string>): string[] {
    const parameters = (this.operation(method, pathTemplate).parameters ?? []).filter((p) => p.in === 'query');
    const errors: string[] = [];
    for (const name of Object.keys(query)) {
      if (!parameters.some((p) => p.name === name)) errors.push(`query: unknown parameter ${name}`);
    }
    for (const parameter of parameters) {
      const raw = query[parameter.name];
      if (raw === undefined) {
        if (parameter.required) errors.push(`query: missing ${parameter.name}`);
        continue;
      }
      errors.push(...this.validate(fromText(raw, this.resolve(parameter.schema)), parameter.schema, {}, `query.${parameter.name}`).errors);
    }
    return errors;
  }

  private resolve(schema: Schema): Schema {
    let current = schema;
    for (let hops = 0; typeof current.$ref === 'string'; hops++) {
      if (hops > 20) throw new Error(`$ref loop at ${String(current.$ref)}`);
      const ref = current.$ref;
      if (!ref.startsWith('#/components/schemas/')) throw new Error(`unsupported $ref ${ref}`);
      current = this.component(ref.slice('#/components/schemas/'.length));
    }
    return current;
  }

  private check(value: unknown, raw: Schema, options: ValidationOptions, at: string, report: ValidationReport): void {
    const schema = this.resolve(raw);
    if (Array.isArray(schema.allOf)) for (const part of schema.allOf as Schema[]) this.check(value, part, options, at, report);
    for (const keyword of ['anyOf', 'oneOf'] as const) {
      const branches = schema[keyword];
      if (!Array.isArray(branches)) continue;
      const results = (branches as Schema[]).map((branch) => this.validate(value, branch, options, at));
      const passing = results.filter((result) => result.errors.length === 0);
      if (passing.length === 0 || (keyword === 'oneOf' && passing.length > 1)) {
        report.errors.push(
          `${at}: matches ${passing.length} of the ${keyword} branches (${results.map((r) => r.errors[0] ?? 'ok').join(' | ')})`,
        );
      } else {
        report.nulls.push(...passing[0].nulls);
      }
    }
    if (schema.type !== undefined && !matchesType(value, schema.type)) {
      report.errors.push(`${at}: expected ${JSON.stringify(schema.type)}, got ${describe(value)}`);
      return;
    }
    if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
      report.errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
    }
    if (typeof value === 'number') {
      if (typeof schema.minimum === 'number' && value < schema.minimum) report.errors.push(`${at}: ${value} < minimum ${schema.minimum}`);
      if (typeof schema.maximum === 'number' && value > schema.maximum) report.errors.push(`${at}: ${value} > maximum ${schema.maximum}`);
    }
    if (Array.isArray(value) && isSchema(schema.items)) {
      value.forEach((item, i) => this.check(item, schema.items as Schema, options, `${at}[${i}]`, report));
    }
    if (isObject(value)) this.checkObject(value, schema, options, at, report);
  }

  private checkObject(
    value: Record<string, unknown>,
    schema: Schema,
    options: ValidationOptions,
    at: string,
    report: ValidationReport,
  ): void {
    const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
    for (const name of required) if (!(name in value)) report.errors.push(`${at}: missing required ${name}`);
    const properties = isSchema(schema.properties) ? (schema.properties as Record<string, Schema>) : {};
    for (const [name, item] of Object.entries(value)) {
      const where = `${at}.${name}`;
      const propertySchema = properties[name];
      if (propertySchema) {
        if (
          item === null &&
          options.allowNullForOptional &&
          (!required.includes(name) || CURSORS.has(name)) &&
          !this.acceptsNull(propertySchema)
        ) {
          report.nulls.push(where);
          continue;
        }
        this.check(item, propertySchema, options, where, report);
      } else if (schema.additionalProperties === false) {
        report.errors.push(`${at}: unexpected property ${name}`);
      } else if (isSchema(schema.additionalProperties)) {
        this.check(item, schema.additionalProperties, options, where, report);
      }
    }
  }

  private acceptsNull(schema: Schema): boolean {
    return this.validate(null, schema).errors.length === 0;
  }
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matchesType(value: unknown, type: unknown): boolean {
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => {
    switch (t) {
      case 'null':
        return value === null;
      case 'string':
        return typeof value === 'string';
      case 'integer':
        return typeof value === 'number' && Number.isInteger(value);
      case 'number':
        return typeof value === 'number' && Number.isFinite(value);
      case 'boolean':
        return typeof value === 'boolean';
      case 'array':
        return Array.isArray(value);
      case 'object':
        return isObject(value);
      default:
        throw new Error(`unsupported type ${String(t)}`);
    }
  });
}

/** A query or multipart value (text) as its schema's type reads it: `20` for an integer. */
export function fromText(text: string, schema: Schema): unknown {
  if ((schema.type === 'integer' || schema.type === 'number') && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (schema.type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 60) ?? ''}`;
}
