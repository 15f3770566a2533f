import fs from "node:fs";
import path from "node:path";
import * as parser from "@typescript-eslint/parser";
import { Linter } from "eslint";
import { describe, expect, it } from "vitest";
import rule from "../rules/require-release.js";
import { ruleTesterFixtures, syntacticTester, typedTester } from "./rule-tester.js";
import {
  objectAssignValid,
  usingHandleValid,
  objectAssignInvalid,
  wrapperValid,
  wrapperInlineValid,
  wrapperInlineInvalid,
  wrapperInvalid,
  codemodValid,
  codemodInvalid,
  stackValid,
  stackInvalid,
  helperValidBoth,
  helperTypedInvalid,
  helperTypedValid,
} from "./helpers/adapter-cases.js";

/* Disposable adapters (issue 15): the cases and what they show are in test/helpers/adapter-cases.ts. */

const valid = [...objectAssignValid, ...usingHandleValid, ...wrapperValid, ...wrapperInlineValid, ...codemodValid, ...stackValid, ...helperValidBoth];
const invalid = [...objectAssignInvalid, ...wrapperInvalid, ...wrapperInlineInvalid, ...codemodInvalid, ...stackInvalid];

syntacticTester.run("require-release (disposable adapters, syntactic)", rule, {
  valid: [
    ...valid,
    // Without types a helper that takes the handle hands it over.
    ...helperTypedInvalid.map(({ name, code }) => ({ name: `syntactic: ${name}`, code })),
  ],
  invalid,
});

typedTester.run("require-release (disposable adapters, typed)", rule, {
  valid: [...valid, ...helperTypedValid],
  invalid: [...invalid, ...helperTypedInvalid],
});

/*
 * The examples of docs/rules/require-release.md "Disposable adapters" say what the rule does:
 * every "Correct" block is not reported and every "Incorrect" block is, with and without types.
 */
const docs = fs.readFileSync(path.join(ruleTesterFixtures, "../../docs/rules/require-release.md"), "utf8");
const section = docs.slice(docs.indexOf("### Disposable adapters"), docs.indexOf("\n## ", docs.indexOf("### Disposable adapters")));
const [correctPart = "", incorrectPart = ""] = section.split("#### ❌ Incorrect");
const blocks = (text: string): string[] => [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);

describe("docs: Disposable adapters examples", () => {
  const examples = [...blocks(correctPart).map((code) => ({ code, reported: false })), ...blocks(incorrectPart).map((code) => ({ code, reported: true }))];
  it("has examples on both sides", () => {
    expect(examples.filter((e) => !e.reported).length).toBeGreaterThanOrEqual(6);
    expect(examples.filter((e) => e.reported).length).toBeGreaterThanOrEqual(4);
  });
  it.each(
    examples.flatMap((example) =>
      [false, true].map((typed) => ({ ...example, typed, title: `${example.code.split("\n")[0]} (${typed ? "typed" : "syntactic"})` })),
    ),
  )("$title", ({ code, reported, typed }) => {
    const linter = new Linter({ cwd: ruleTesterFixtures });
    const messages = linter.verify(
      code,
      [
        {
          files: ["**/*.ts"],
          plugins: { "lock-scope": { rules: { "require-release": rule as never } } },
          languageOptions: { parser: parser as never, parserOptions: typed ? { project: "./tsconfig.json", tsconfigRootDir: ruleTesterFixtures } : {} },
          rules: { "lock-scope/require-release": "error" },
        },
      ],
      path.join(ruleTesterFixtures, "file.ts"),
    );
    expect(messages.filter((m) => m.fatal)).toEqual([]);
    const findings = messages.filter((m) => m.ruleId === "lock-scope/require-release").map((m) => `${m.messageId}@${m.line}:${m.column}`);
    if (reported) expect(findings.length, "an Incorrect example is reported").toBeGreaterThan(0);
    else expect(findings, "a Correct example is not reported").toEqual([]);
  });
});
