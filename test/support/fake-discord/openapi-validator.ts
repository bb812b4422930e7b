import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { SHARED_DISCORD_SPEC } from '../paths.js';

/**
 * Checks request bodies against Discord's published OpenAPI description (discord/discord-api-spec),
 * so the fake refuses what real Discord would refuse: a wrong enum value, a missing required field, a
 * string that is too long. OpenAPI 3.1 schemas are JSON Schema 2020-12, which ajv compiles directly;
 * each route's schema is compiled once, on first use, by reference into the whole document.
 */

const SPEC_ID = 'discord-openapi';

/** The spec annotates numbers and ids with formats JSON Schema does not define; their shapes are typed anyway. */
const ANNOTATION_FORMATS = ['int32', 'int64', 'double', 'nonce', 'snowflake', 'uri', 'date-time'];

interface JsonObject {
  [key: string]: unknown;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON pointer escaping of one path segment (`/` → `~1`, `~` → `~0`). */
function pointerSegment(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function formatError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(body)' : error.instancePath;
  const allowed = isObject(error.params) && 'allowedValues' in error.params;
  const detail = allowed ? ` ${JSON.stringify(error.params.allowedValues)}` : '';
  return `${where} ${error.message ?? error.keyword}${detail}`;
}

export class DiscordSchemaValidator {
  readonly #ajv: Ajv2020;
  readonly #spec: JsonObject;
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(specPath: string = SHARED_DISCORD_SPEC) {
    this.#spec = JSON.parse(readFileSync(specPath, 'utf8')) as JsonObject;
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    for (const format of ANNOTATION_FORMATS) this.#ajv.addFormat(format, true);
    this.#ajv.addSchema(this.#spec, SPEC_ID);
  }

  /** The JSON request schema the spec gives for `method` on the route template, or null when it has none. */
  #requestSchemaPointer(method: string, route: string): string | null {
    const paths = this.#spec.paths;
    if (!isObject(paths)) return null;
    const operation = isObject(paths[route]) ? (paths[route] as JsonObject)[method.toLowerCase()] : undefined;
    if (!isObject(operation) || !isObject(operation.requestBody)) return null;
    const content = operation.requestBody.content;
    if (!isObject(content) || !isObject(content['application/json'])) return null;
    return `${SPEC_ID}#/paths/${pointerSegment(route)}/${method.toLowerCase()}/requestBody/content/${pointerSegment('application/json')}/schema`;
  }

  #validator(pointer: string): ValidateFunction {
    let validate = this.#compiled.get(pointer);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: pointer });
      this.#compiled.set(pointer, validate);
    }
    return validate;
  }

  /**
   * A union of request shapes told apart by `type` (interaction callbacks: 4/5 create a message, 6/7
   * update one, 8 autocomplete, 9 modal) is checked against the one branch whose `type` enum holds the
   * body's type, so a mistake is reported against the shape that was meant rather than all seven.
   */
  #branchFor(pointer: string, body: unknown): string | null {
    if (!isObject(body) || typeof body.type !== 'number') return null;
    const schema = this.#resolve(pointer);
    const resolved =
      isObject(schema) && typeof schema.$ref === 'string' ? this.#resolve(schema.$ref) : schema;
    if (!isObject(resolved) || !Array.isArray(resolved.anyOf)) return null;
    for (const branch of resolved.anyOf) {
      if (!isObject(branch) || typeof branch.$ref !== 'string') continue;
      const target = this.#resolve(branch.$ref);
      const typeProperty =
        isObject(target) && isObject(target.properties) ? target.properties.type : undefined;
      if (
        isObject(typeProperty) &&
        Array.isArray(typeProperty.enum) &&
        typeProperty.enum.includes(body.type)
      ) {
        return `${SPEC_ID}${branch.$ref}`;
      }
    }
    return null;
  }

  #resolve(ref: string): unknown {
    const fragment = ref.slice(ref.indexOf('#') + 1);
    let node: unknown = this.#spec;
    for (const raw of fragment.split('/').slice(1)) {
      const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      node = isObject(node) ? node[segment] : undefined;
    }
    return node;
  }

  /**
   * Problems with `body` sent as `method route` (a template such as `/channels/{channel_id}/messages`):
   * an empty list when it is valid, null when the spec describes no JSON body for the route.
   */
  check(method: string, route: string, body: unknown): string[] | null {
    const pointer = this.#requestSchemaPointer(method, route);
    if (pointer === null) return null;
    const branch = this.#branchFor(pointer, body);
    const validate = this.#validator(branch ?? pointer);
    if (validate(body)) return [];
    return [...new Set((validate.errors ?? []).map(formatError))];
  }
}

let shared: DiscordSchemaValidator | undefined;

/** One validator per test process: the spec is 1 MB and its compiled validators are reusable. */
export function discordSchemaValidator(): DiscordSchemaValidator {
  shared ??= new DiscordSchemaValidator();
  return shared;
}
