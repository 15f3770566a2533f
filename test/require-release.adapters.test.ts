import rule from "../rules/require-release.js";
import { syntacticTester, typedTester } from "./rule-tester.js";
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
