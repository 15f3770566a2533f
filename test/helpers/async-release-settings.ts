/**
 * ESLint `settings` that document the `acquire…Lock…` functions of the test corpora as returning
 * asynchronous releases. The rule reports a release without `await` only when the release is known
 * to be async (types, or an API that says so): an awaited acquisition says nothing about its release.
 */
export const asyncReleaseSettings = {
  "lock-scope": {
    apis: [
      {
        id: "async-acquire-lock-functions",
        acquire: [
          {
            callee: { namePattern: "^acquire\\w*Lock\\w*$" },
            release: [{ kind: "handleMethod", methods: ["release", "unlock"] }, { kind: "returnedFunction" }],
            releaseIsAsync: true,
          },
        ],
      },
    ],
  },
};
