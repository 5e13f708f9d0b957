// vcf-status's rule for many changes: a new status goes out at once, finer progress at most once per interval with
// the newest state. Time is driven by hand through the injected schedule, never by waiting.
import assert from "node:assert/strict";
import { ChangeCoalescer, type Schedule } from "../../nodes/adapters/change-coalescer";

interface Change {
  key: string;
  status: string;
  step: number;
}

/** A coalescer whose scheduled sends run only when the test says so; `sent` lists what went out. */
function harness(intervalMs = 1000): {
  coalescer: ChangeCoalescer<Change>;
  sent: Change[];
  scheduled: Array<{ ms: number; cancelled: boolean }>;
  elapse: () => void;
} {
  const sent: Change[] = [];
  const tasks: Array<{ task: () => void; ms: number; cancelled: boolean }> = [];
  const schedule: Schedule = (task, ms) => {
    const entry = { task, ms, cancelled: false };
    tasks.push(entry);
    return () => {
      entry.cancelled = true;
    };
  };
  const coalescer: ChangeCoalescer<Change> = new ChangeCoalescer<Change>(
    (c) => {
      sent.push(c);
      coalescer.sent(c.key, c.status);
    },
    intervalMs,
    schedule,
  );
  const elapse = (): void => {
    for (const t of tasks.splice(0)) if (!t.cancelled) t.task();
  };
  return { coalescer, sent, scheduled: tasks, elapse };
}

describe("nodes: vcf-status coalesces finer progress, never a status", function () {
  it("sends a new status at once and the changes after it once per interval, the newest winning", () => {
    const { coalescer, sent, scheduled, elapse } = harness(1000);
    const change = (status: string, step: number): void => coalescer.changed("d1", status, { key: "d1", status, step });
    change("downloading_bundles", 1);
    assert.deepEqual(
      sent.map((c) => c.step),
      [1],
      "the first change of a domain is a new status",
    );
    change("downloading_bundles", 2);
    change("downloading_bundles", 3);
    assert.equal(sent.length, 1, "progress waits");
    assert.deepEqual(
      scheduled.map((s) => s.ms),
      [1000],
      "one send scheduled for the domain, after the interval",
    );
    elapse();
    assert.deepEqual(
      sent.map((c) => c.step),
      [1, 3],
      "the newest state went out",
    );
    elapse();
    assert.equal(sent.length, 2, "nothing more without a change");
  });

  it("a new status goes out at once and takes the waiting progress with it", () => {
    const { coalescer, sent, elapse } = harness();
    const change = (status: string, step: number): void => coalescer.changed("d1", status, { key: "d1", status, step });
    change("running_prechecks", 1);
    change("running_prechecks", 2);
    change("evaluating_prechecks", 3);
    change("prechecks_done", 4);
    assert.deepEqual(
      sent.map((c) => `${c.status}:${c.step}`),
      ["running_prechecks:1", "evaluating_prechecks:3", "prechecks_done:4"],
    );
    elapse();
    assert.equal(sent.length, 3, "the cancelled progress send does not go out later");
  });

  it("every status of a long sequence arrives in order, and the last change always does", () => {
    const { coalescer, sent, elapse } = harness();
    const statuses = ["update_process_started", "downloading_bundles", "running_prechecks", "starting_upgrades"];
    const changes: Change[] = [];
    for (const [i, status] of statuses.entries())
      for (let step = 0; step < 5; step++) changes.push({ key: "d1", status, step: i * 10 + step });
    changes.forEach((c, i) => {
      coalescer.changed(c.key, c.status, c);
      if (i % 3 === 0) elapse();
    });
    elapse();
    const sequence = sent.map((c) => c.status).filter((s, i, all) => all[i - 1] !== s);
    assert.deepEqual(sequence, statuses);
    assert.deepEqual(sent.at(-1), changes.at(-1));
    assert.ok(sent.length < changes.length, `${sent.length} of ${changes.length} changes sent`);
  });

  it("keeps domains apart", () => {
    const { coalescer, sent, elapse } = harness();
    coalescer.changed("d1", "running_prechecks", { key: "d1", status: "running_prechecks", step: 1 });
    coalescer.changed("d2", "running_prechecks", { key: "d2", status: "running_prechecks", step: 1 });
    coalescer.changed("d1", "running_prechecks", { key: "d1", status: "running_prechecks", step: 2 });
    coalescer.changed("d2", "running_prechecks", { key: "d2", status: "running_prechecks", step: 2 });
    elapse();
    assert.deepEqual(
      sent.map((c) => `${c.key}:${c.step}`),
      ["d1:1", "d2:1", "d1:2", "d2:2"],
    );
  });

  it("a send on request takes the waiting progress with it; closing drops what waits", () => {
    const { coalescer, sent, elapse } = harness();
    coalescer.changed("d1", "running_prechecks", { key: "d1", status: "running_prechecks", step: 1 });
    coalescer.changed("d1", "running_prechecks", { key: "d1", status: "running_prechecks", step: 2 });
    coalescer.sent("d1", "running_prechecks"); // the current state went out on request
    elapse();
    assert.equal(sent.length, 1);
    coalescer.changed("d1", "running_prechecks", { key: "d1", status: "running_prechecks", step: 3 });
    coalescer.close();
    elapse();
    assert.equal(sent.length, 1);
  });

  it("with an interval of 0 every change goes out at once", () => {
    const { coalescer, sent, scheduled } = harness(0);
    for (let step = 0; step < 4; step++)
      coalescer.changed("d1", "running_prechecks", { key: "d1", status: "running_prechecks", step });
    assert.equal(sent.length, 4);
    assert.equal(scheduled.length, 0);
  });
});
