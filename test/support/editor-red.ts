// Types of the parts of the Node-RED editor (the browser's `RED` global) that the browser tests call. Only types:
// callbacks passed to page.evaluate() run in the page, so they read the globals with
// `const { RED } = globalThis as unknown as EditorGlobals;` and must not use values imported from Node modules.

export interface EditorNode {
  id: string;
  type: string;
  z?: string;
  valid?: boolean;
  validationErrors?: string[];
  [key: string]: unknown;
}

export interface EditorNodeDefinition {
  category: string;
  defaults: Record<string, { value?: unknown; type?: string; required?: boolean }>;
}

export interface RedEditor {
  nodes: {
    getType(type: string): EditorNodeDefinition | undefined;
    node(id: string): EditorNode | undefined;
    eachNode(callback: (node: EditorNode) => void): void;
    eachConfig(callback: (node: EditorNode) => void): void;
    workspace(id: string): EditorNode | undefined;
  };
  view: {
    importNodes(flow: unknown[], options: { generateIds?: boolean; addFlow?: boolean; touchImport?: boolean }): void;
    /** "" clears the selection. */
    select(selection: string): void;
  };
  editor: {
    validateNode(node: EditorNode): boolean;
    edit(node: EditorNode): void;
    editConfig(name: string, type: string, id: string): void;
  };
  workspaces: {
    active(): string;
    show(id: string): void;
  };
  sidebar: {
    help: { show(type: string): void };
  };
  comms: {
    subscribe(topic: string, callback: (topic: string, message: unknown) => void): void;
  };
}

export interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { width: number; height: number };
  querySelector(selector: string): PageElement | null;
  remove(): void;
}

/** The page's globals the tests use (the test build has no DOM library). */
export interface EditorGlobals {
  RED: RedEditor;
  fetch(url: string): Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;
  document: {
    querySelector(selector: string): PageElement | null;
  };
  /** Set by the tests to collect messages in the page. */
  vcfDebugMessages?: Array<{ name?: string; msg?: unknown }>;
}
