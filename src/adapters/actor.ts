// Who sent a message, for the run report: msg.user (a name, or an object with one), else the user Dashboard 2.0
// adds with an auth plugin (msg._client.user), else the user of the Home Assistant event or entity state the message
// carries (its context's user_id, e.g. msg.data of a Companion button), else "flow". Names are capped; nothing else
// of the message is kept.
import { FLOW_ACTOR, type Actor } from "../engine";
import { capText, NAME_CAP } from "../vcf/text-cap";
import type { NodeMessage } from "./node-red-types";

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? capText(value.trim(), NAME_CAP) : undefined;
}

/** A user given as a name, or as an object naming one (name, else username, else email, else userId). */
function nameOf(user: unknown): string | undefined {
  return (
    text(user) ??
    text(field(user, "name")) ??
    text(field(user, "username")) ??
    text(field(user, "email")) ??
    text(field(user, "userId"))
  );
}

/** The user id in a Home Assistant context found in the places the websocket nodes put events and states. */
function homeAssistantUser(msg: NodeMessage): string | undefined {
  const places = [msg.data, field(msg.data, "event"), msg.payload, field(msg.payload, "event"), msg];
  for (const place of places) {
    const id = text(field(field(place, "context"), "user_id"));
    if (id) return id;
  }
  return undefined;
}

export function actorOf(msg: NodeMessage): Actor {
  const given = nameOf(msg.user);
  if (given) return { name: given, via: "message" };
  const dashboard = nameOf(field(msg._client, "user"));
  if (dashboard) return { name: dashboard, via: "dashboard" };
  const homeAssistant = homeAssistantUser(msg);
  if (homeAssistant) return { name: homeAssistant, via: "home-assistant" };
  return { ...FLOW_ACTOR };
}
