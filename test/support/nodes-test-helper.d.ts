// The part of node-red-node-test-helper 0.3.6 the node tests use (the package ships no types).
declare module "node-red-node-test-helper" {
  namespace helper {
    interface FlowNode {
      id: string;
      type: string;
      [property: string]: unknown;
    }
    interface TestNode {
      id: string;
      on(event: "input", listener: (msg: Record<string, unknown>) => void): void;
      on(event: string, listener: (...args: unknown[]) => void): void;
      receive(msg: Record<string, unknown>): void;
      /** Sends `msg` on the node's output, as if the node had produced it (a helper node standing in for another). */
      send(msg: Record<string, unknown>): void;
    }
    interface SupertestResponse {
      status: number;
      body: unknown;
    }
    interface SupertestRequest extends PromiseLike<SupertestResponse> {
      send(body: unknown): SupertestRequest;
      set(header: string, value: string): SupertestRequest;
      expect(status: number): SupertestRequest;
    }
    type NodeModule = (RED: never) => void;
  }
  const helper: {
    init(runtimePath: string, userSettings?: Record<string, unknown>): void;
    settings(userSettings?: Record<string, unknown>): Record<string, unknown>;
    load(
      nodes: helper.NodeModule | helper.NodeModule[],
      flow: helper.FlowNode[],
      credentials?: Record<string, Record<string, string>>,
    ): Promise<void>;
    unload(): Promise<void>;
    /** Deploys `flow` like the editor's Deploy button ("full", "flows" or "nodes") and waits for flows:started. */
    setFlows(
      flow: helper.FlowNode[],
      type: "full" | "flows" | "nodes",
      credentials?: Record<string, Record<string, string>>,
    ): Promise<void>;
    startServer(): Promise<void>;
    stopServer(): Promise<void>;
    getNode(id: string): helper.TestNode | null;
    request(): { post(path: string): helper.SupertestRequest; get(path: string): helper.SupertestRequest };
  };
  export = helper;
}
