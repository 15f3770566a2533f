import rule from "../rules/no-slow-await-while-locked.js";
import { javascriptTester, syntacticTester } from "./rule-tester.js";

syntacticTester.run("no-slow-await-while-locked", rule, {
  valid: [
    {
      name: "fetch before the acquisition",
      code: `async function turn(sessionFile: string) {
  const reply = await fetch("https://model.example/v1");
  const lock = await acquireSessionWriteLock({ sessionFile });
  try {
    await appendEntry(sessionFile, await reply.text());
  } finally {
    await lock.release();
  }
}`,
    },
    {
      name: "fetch after the release",
      code: `async function turn(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  try {
    await appendEntry(sessionFile, "x");
  } finally {
    await lock.release();
  }
  await fetch("https://hooks.example/notify");
}`,
    },
    {
      name: "fetch inside a callback defined while holding (runs later)",
      code: `async function turn(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  try {
    queue.push(async () => { await fetch("https://x"); });
  } finally {
    await lock.release();
  }
}`,
    },
    {
      name: "a non-slow await while holding",
      code: `async function turn(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  try {
    await appendEntry(sessionFile, "x");
  } finally {
    await lock.release();
  }
}`,
    },
    {
      name: "fetch in the early-exit branch after the release",
      code: `async function turn(sessionFile: string, skip: boolean) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  if (skip) {
    await lock.release();
    await fetch("https://x");
    return;
  }
  await lock.release();
}`,
    },
    {
      name: "callback-scoped lock is not modelled as held here",
      code: `async function turn() {
  await mutex.runExclusive(async () => 1);
  await fetch("https://x");
}`,
    },
    {
      name: "custom functions replace the defaults",
      code: `async function turn(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  try {
    await fetch("https://x");
  } finally {
    await lock.release();
  }
}`,
      options: [{ functions: ["callModel"] }],
    },
  ],
  invalid: [
    {
      name: "the gateway incident: a model call inside the locked region",
      code: `async function turn(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  try {
    const reply = await fetch("https://model.example/v1");
    await appendEntry(sessionFile, await reply.text());
  } finally {
    await lock.release();
  }
}`,
      errors: [
        {
          messageId: "slowAwaitWhileLocked",
          line: 4,
          column: 19,
          endLine: 4,
          endColumn: 58,
          data: { call: 'fetch("https://model.example/v1")', line: 4, api: "acquireSessionWriteLock", acquiredLine: 2 },
        },
      ],
    },
    {
      name: "fetch chained with .then",
      code: `async function turn(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  try {
    return await fetch("https://x").then((r) => r.json());
  } finally {
    await lock.release();
  }
}`,
      errors: [{ messageId: "slowAwaitWhileLocked", line: 4, column: 12 }],
    },
    {
      name: "axios imported from its module",
      code: `import axios from "axios";
async function sync(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  try {
    await axios.post("https://x", {});
  } finally {
    await lock.release();
  }
}`,
      errors: [{ messageId: "slowAwaitWhileLocked", line: 5, column: 5 }],
    },
    {
      name: "openai client method through a named import",
      code: `import { OpenAI } from "openai";
async function summarize(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  try {
    await OpenAI.chat.completions.create({ model: "m" });
  } finally {
    await lock.release();
  }
}`,
      errors: [{ messageId: "slowAwaitWhileLocked", line: 5, column: 5 }],
    },
    {
      name: "configured function path",
      code: `async function summarize(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  try {
    await client.chat.completions.create({ model: "m" });
  } finally {
    await lock.release();
  }
}`,
      options: [{ functions: ["client.chat.completions.create"] }],
      errors: [{ messageId: "slowAwaitWhileLocked", line: 4, column: 5 }],
    },
    {
      name: "receiver pattern",
      code: `class Compactor {
  async run(sessionFile: string) {
    const lock = await acquireSessionWriteLock({ sessionFile });
    try {
      await this.llmClient.summarize("…");
    } finally {
      await lock.release();
    }
  }
}`,
      options: [{ receiverPatterns: ["llmClient$"] }],
      errors: [{ messageId: "slowAwaitWhileLocked", line: 5, column: 7 }],
    },
    {
      name: "await using holds to the end of the block",
      code: `async function turn(sessionFile: string) {
  await using lock = await acquireDisposableLock(sessionFile);
  await fetch("https://x");
}`,
      errors: [{ messageId: "slowAwaitWhileLocked", line: 3, column: 3 }],
    },
    {
      name: "async-mutex release function, fetch in a loop",
      code: `async function drain(urls: string[]) {
  const release = await mutex.acquire();
  try {
    for (const url of urls) await fetch(url);
  } finally {
    release();
  }
}`,
      errors: [{ messageId: "slowAwaitWhileLocked", line: 4, column: 29 }],
    },
    {
      name: "held on one branch only is still reported",
      code: `async function turn(sessionFile: string, early: boolean) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  if (early) await lock.release();
  await fetch("https://x");
  if (!early) await lock.release();
}`,
      errors: [{ messageId: "slowAwaitWhileLocked", line: 4, column: 3 }],
    },
    {
      name: "two slow calls, two reports",
      code: `async function turn(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  try {
    await fetch("https://a");
    await fetch("https://b");
  } finally {
    await lock.release();
  }
}`,
      errors: [
        { messageId: "slowAwaitWhileLocked", line: 4, column: 5 },
        { messageId: "slowAwaitWhileLocked", line: 5, column: 5 },
      ],
    },
  ],
});

javascriptTester.run("no-slow-await-while-locked (JavaScript)", rule, {
  valid: [`async function f(file) { const release = await lockfile.lock(file); try { await work(); } finally { await release(); } }`],
  invalid: [
    {
      code: `import lockfile from "proper-lockfile";
import https from "node:https";
export async function upload(file) {
  const release = await lockfile.lock(file);
  try {
    await https.get("https://x");
  } finally {
    await release();
  }
}`,
      errors: [{ messageId: "slowAwaitWhileLocked", line: 6, column: 5 }],
    },
  ],
});
