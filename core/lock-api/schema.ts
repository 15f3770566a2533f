import type { JSONSchema4 } from "@typescript-eslint/utils/json-schema";
import { defaultPresetIds } from "./presets.js";

/**
 * JSON schema of the lock-API options shared by every rule and the CLI config.
 * Every property has a description (shown by editors and eslint-doc-generator).
 */

const calleeMatcher: JSONSchema4 = {
  type: "object",
  description: "Which calls match. Every given field must match.",
  additionalProperties: false,
  properties: {
    name: {
      description: "Exact function or method name, or a list of names.",
      oneOf: [{ type: "string", minLength: 1 }, { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 }],
    },
    namePattern: { type: "string", minLength: 1, description: "Regular expression the function or method name must match." },
    receiverPattern: { type: "string", minLength: 1, description: "Case-insensitive regular expression the receiver (`this.mutex`) must match." },
    module: { type: "string", minLength: 1, description: "Only calls imported from this module." },
    // Values are checked by buildLockModel, whose message names the option and the allowed values.
    callForm: { type: "string", description: "Match `x.name()` only (`method`), `name()` only (`function`), or both (`any`)." },
  },
};

const releaseSpec: JSONSchema4 = {
  description: "One way the lock is released.",
  oneOf: [
    {
      type: "object",
      additionalProperties: false,
      required: ["kind", "methods"],
      properties: {
        kind: { type: "string", enum: ["handleMethod", "receiverMethod"], description: "`handle.release()` or `receiver.release()`." },
        methods: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1, description: "Release method names." },
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["kind"],
      properties: { kind: { type: "string", enum: ["returnedFunction"], description: "The acquisition returns the release function." } },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["kind", "index"],
      properties: {
        kind: { type: "string", enum: ["tupleFunction"], description: "The acquisition returns a tuple holding the release function." },
        index: { type: "integer", minimum: 0, description: "Index of the release function in the tuple." },
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["kind", "functions"],
      properties: {
        kind: { type: "string", enum: ["moduleFunction"], description: "A module function called with the same first argument." },
        functions: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1, description: "Release function names." },
      },
    },
  ],
};

export const lockApiSchema: JSONSchema4 = {
  type: "object",
  description: "A lock API: how it acquires and how it releases.",
  additionalProperties: false,
  required: ["id", "acquire"],
  properties: {
    id: { type: "string", minLength: 1, description: "Name used in messages." },
    description: { type: "string", description: "Free text." },
    acquire: {
      type: "array",
      description: "Acquiring calls.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["callee", "release"],
        properties: {
          callee: calleeMatcher,
          release: { type: "array", items: releaseSpec, description: "Ways the lock is released (at least one)." },
          releaseIsAsync: {
            type: ["boolean", "string"],
            description: "Whether the release returns a promise that must be awaited: `true`, `false` or `\"auto\"` (when the acquisition is awaited).",
          },
          returnsSuccessFlag: { type: "boolean", description: "The call returns true/false (`tryAcquire()`) instead of a handle." },
        },
      },
    },
    callbackScoped: { type: "array", items: calleeMatcher, description: "Callback-scoped APIs (`runExclusive(fn)`): never reported." },
    ownershipSinks: { type: "array", items: calleeMatcher, description: "Calls that take ownership of a handle passed to them." },
  },
};

export const lockModelOptionProperties: Record<string, JSONSchema4> = {
  presets: {
    type: "array",
    // No `enum` here: ESLint's enum message names neither the option nor the allowed values;
    // buildLockModel rejects unknown ids with a message that does.
    items: { type: "string", minLength: 1 },
    uniqueItems: true,
    description: `Built-in lock APIs to recognise (default: all of ${defaultPresetIds.join(", ")}).`,
  },
  apis: { type: "array", items: lockApiSchema, description: "Your own lock APIs, matched before the presets." },
};
