/* The hall screen's announcer: which call is said next, and which is not said at all.

   One announcement at a time, in the order the calls reached the screen. A call whose
   announcement has not started within maxDelayMs of reaching the screen is dropped (the
   screen still shows it): a late call sends people to a window that has moved on, and a
   hall that calls faster than it can speak would otherwise fall minutes behind. A recall
   of a number still waiting takes that call's place in the line, so it is said once. A
   call no longer wanted when its turn comes (the visitor came, or the window let them go)
   is dropped too. The time is the screen's own: the server's clock may differ.

   The player (say) and the clock (now) are passed in, so that this rule is the same in
   the page and under a test's fake clock. */
(function () {
  "use strict";

  // A player that never finishes (a clip fetch that hangs) must not silence the hall.
  const LONGEST_SAY_MS = 60000;

  function createAnnouncer(options) {
    const maxDelayMs = options.maxDelayMs;
    const now = options.now || (() => Date.now());
    const say = options.say;                              // entry -> Promise, settled when said
    const wanted = options.wanted || (() => true);        // entry -> still worth saying?
    const onStart = options.onStart || function () {};
    const onDone = options.onDone || function () {};
    const onDrop = options.onDrop || function () {};      // (entry, "late" | "gone" | "replaced")
    let waiting = [];                                     // not started yet, in order
    let speaking = null;

    /** Queue a call ({number, window, ...}); returns the queued entry. */
    function add(call) {
      const entry = Object.assign({}, call, { at: now() });
      const same = waiting.findIndex((e) => e.number === entry.number);
      if (same >= 0) {
        onDrop(waiting[same], "replaced");
        waiting[same] = entry;
      } else {
        waiting.push(entry);
      }
      prune();
      next();
      return entry;
    }

    /** Drop what can no longer be said in time or is no longer wanted. */
    function prune() {
      const t = now();
      waiting = waiting.filter((e) => {
        const why = t - e.at > maxDelayMs ? "late" : wanted(e) ? null : "gone";
        if (why) onDrop(e, why);
        return !why;
      });
    }

    function next() {
      if (speaking) return;
      prune();
      const entry = waiting.shift();
      if (!entry) return;
      speaking = entry;
      entry.started = now();
      onStart(entry);
      let timer = null;
      const gaveUp = new Promise((resolve) => { timer = setTimeout(resolve, LONGEST_SAY_MS); });
      Promise.race([Promise.resolve().then(() => say(entry)), gaveUp])
        .catch((error) => console.error("announcement", entry.number, error))
        .then(() => {
          clearTimeout(timer);
          speaking = null;
          onDone(entry);
          next();
        });
    }

    /** The calls still waiting to be said, oldest first (for a test or a look in devtools). */
    function waitingCalls() { return waiting.map((e) => e.number); }

    return { add, waiting: waitingCalls, speaking: () => speaking };
  }

  window.QHallAnnouncer = { createAnnouncer };
})();
