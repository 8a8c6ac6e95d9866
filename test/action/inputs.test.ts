import { describe, expect, it } from "vitest";
import { InputError, readInputs } from "../../action/inputs.js";

/** Inputs as the runner passes them: action.yml defaults filled in, unset ones empty. */
function read(inputs: Record<string, string>) {
  const all: Record<string, string> = { token: "ghs_abc", "wait-minutes": "0", "poll-seconds": "30", ...inputs };
  return readInputs((name) => all[name] ?? "");
}

describe("readInputs", () => {
  it("reads a minimal workflow step (only app-id set)", () => {
    expect(read({ "app-id": "90210" })).toEqual({
      token: "ghs_abc",
      appId: 90210,
      sha: undefined,
      pullRequest: undefined,
      gates: undefined,
      waitMinutes: 0,
      pollSeconds: 30,
    });
  });

  it("reads every optional input", () => {
    const inputs = read({
      "app-id": " 90210 ",
      sha: "C4295BD74FB0F4FDA03689C3DF3F2803B658FD85",
      gates: "security,\noperations security",
      "wait-minutes": "2.5",
      "poll-seconds": "10",
    });
    expect(inputs).toMatchObject({
      appId: 90210,
      sha: "c4295bd74fb0f4fda03689c3df3f2803b658fd85",
      gates: ["security", "operations"],
      waitMinutes: 2.5,
      pollSeconds: 10,
    });
    expect(read({ "app-id": "1", "pull-request": "#42" }).pullRequest).toBe(42);
    // With a named PR, 'sha' is the commit deployed, checked against that PR's approved commit.
    expect(read({ "app-id": "1", "pull-request": "7", sha: "C4295BD74FB0F4FDA03689C3DF3F2803B658FD85" })).toMatchObject({
      pullRequest: 7,
      sha: "c4295bd74fb0f4fda03689c3df3f2803b658fd85",
    });
  });

  it.each([
    [
      {},
      "Input 'app-id' is required: the numeric id of the Gatehouse App whose check runs are trusted (Settings → Developer settings → GitHub Apps → App ID).",
    ],
    [
      { "app-id": "gatehouse" },
      "Invalid input 'app-id': 'gatehouse'. Expected the numeric id of the Gatehouse App (Settings → Developer settings → GitHub Apps → App ID).",
    ],
    [{ "app-id": "1", token: " " }, "Input 'token' is empty."],
    [{ "app-id": "1", sha: "abc1234" }, "Invalid input 'sha': 'abc1234'. Expected a full 40-character commit SHA"],
    [{ "app-id": "1", "pull-request": "0" }, "Invalid input 'pull-request': '0'. Expected a pull request number such as 42"],
    [{ "app-id": "1", gates: "security, Ops Team" }, "Invalid input 'gates': 'Ops', 'Team'. Expected gate ids from the checklist"],
    [
      { "app-id": "1", "wait-minutes": "forever" },
      "Invalid input 'wait-minutes': 'forever'. Expected minutes to wait for approval, e.g. 30 (0 decides at once); between 0 and 360.",
    ],
    [{ "app-id": "1", "wait-minutes": "600" }, "between 0 and 360"],
    [
      { "app-id": "1", "poll-seconds": "1" },
      "Invalid input 'poll-seconds': '1'. Expected seconds between two looks, e.g. 30; between 5 and 3600.",
    ],
  ])("rejects %j with a message that names the input and the fix", (inputs, message) => {
    expect(() => read(inputs)).toThrow(InputError);
    expect(() => read(inputs)).toThrow(message);
  });
});
