// Who a message names for the run report: msg.user, the dashboard's client data, a Home Assistant context, else the flow.
import assert from "node:assert/strict";
import { actorOf } from "../../nodes/adapters/actor";

describe("nodes: who sent a message (for the run report)", () => {
  it("takes msg.user first, as a name or an object naming one", () => {
    assert.deepEqual(actorOf({ user: " alice " }), { name: "alice", via: "message" });
    assert.deepEqual(actorOf({ user: { name: "Alice A." } }), { name: "Alice A.", via: "message" });
    assert.deepEqual(actorOf({ user: { username: "alice", email: "a@example.org" } }), {
      name: "alice",
      via: "message",
    });
    assert.deepEqual(actorOf({ user: { userId: "u-1" }, _client: { user: { name: "bob" } } }), {
      name: "u-1",
      via: "message",
    });
  });

  it("then the dashboard's user, then a Home Assistant context's user id, else the flow", () => {
    assert.deepEqual(actorOf({ user: "", _client: { socketId: "s", user: { email: "bob@example.org" } } }), {
      name: "bob@example.org",
      via: "dashboard",
    });
    assert.deepEqual(actorOf({ _client: { socketId: "s" }, data: { context: { user_id: "abc123" } } }), {
      name: "abc123",
      via: "home-assistant",
    });
    assert.deepEqual(actorOf({ payload: { event: { context: { user_id: "def456" } } } }), {
      name: "def456",
      via: "home-assistant",
    });
    assert.deepEqual(actorOf({ payload: "start", user: 42, data: { context: { user_id: null } } }), {
      name: "flow",
      via: "flow",
    });
  });

  it("caps a name from a message", () => {
    const name = actorOf({ user: "x".repeat(5000) }).name;
    assert.ok(name.length < 300 && name.startsWith("xxx"), `${name.length} characters`);
  });
});
