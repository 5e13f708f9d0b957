// The part of the Node-RED runtime API these nodes use, typed by hand (no @types/node-red installed).
// Shapes follow @node-red/registry createNodeApi() and @node-red/runtime Node.js of Node-RED 4.1.

export interface NodeStatus {
  fill?: "red" | "green" | "yellow" | "blue" | "grey";
  shape?: "ring" | "dot";
  text?: string;
}

/** A message as it travels between nodes; user properties are kept untouched. */
export interface NodeMessage {
  _msgid?: string;
  topic?: string;
  payload?: unknown;
  [property: string]: unknown;
}

export type SendFunction = (msg: NodeMessage | Array<NodeMessage | null>) => void;
export type DoneFunction = (err?: Error) => void;
export type InputListener = (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void;
export type CloseListener = (removed: boolean, done: () => void) => void;

/** A node instance after RED.nodes.createNode(this, def). */
export interface Node<TCredentials = Record<string, string | undefined>> {
  id: string;
  type: string;
  name?: string;
  credentials?: Partial<TCredentials>;
  on(event: "input", listener: InputListener): void;
  on(event: "close", listener: CloseListener): void;
  status(status: NodeStatus): void;
  send(msg: NodeMessage | Array<NodeMessage | null>): void;
  log(text: string): void;
  warn(text: string): void;
  error(text: string | Error, msg?: NodeMessage): void;
  debug(text: string): void;
}

/** The flow JSON of one node (its `defaults` plus id/type/name). */
export interface NodeDef {
  id: string;
  type: string;
  name?: string;
}

export type NodeConstructor<TDef extends NodeDef, TNode> = (this: TNode, def: TDef) => void;

export interface CredentialsDefinition {
  [property: string]: { type: "text" | "password" };
}

export interface RegisterOptions {
  credentials?: CredentialsDefinition;
}

/** The express request/response of an admin route (only what our handlers read and write). */
export interface AdminRequest {
  params: Record<string, string>;
  body?: unknown;
}
export interface AdminResponse {
  status(code: number): AdminResponse;
  json(body: unknown): void;
}
export type AdminNext = (err?: unknown) => void;
export type AdminHandler = (req: AdminRequest, res: AdminResponse, next: AdminNext) => void;

export interface RuntimeEvents {
  on(event: string, listener: (...args: unknown[]) => void): void;
  removeListener(event: string, listener: (...args: unknown[]) => void): void;
}

export interface NodeAPI {
  /** A text from the message catalogs; a key without "<namespace>:" is looked up in this node set's catalog. */
  _(key: string, params?: Record<string, unknown>): string;
  nodes: {
    createNode(node: object, def: NodeDef): void;
    // The runtime calls the constructor with `this` bound to the new node; each node type narrows it.
    registerType<TDef extends NodeDef, TNode>(
      type: string,
      constructor: NodeConstructor<TDef, TNode>,
      options?: RegisterOptions,
    ): void;
    getNode(id: string): unknown;
    /** Every node of the flow configuration, also disabled ones and those on disabled flows. */
    eachNode(callback: (node: NodeDef & Record<string, unknown>) => void): void;
  };
  settings: { userDir?: string };
  events: RuntimeEvents;
  httpAdmin: { post(path: string, ...handlers: AdminHandler[]): void };
  auth: { needsPermission(permission: string): AdminHandler };
}
