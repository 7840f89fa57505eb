/* Spoken calls on the hall screen: clips joined with the Web Audio API. The server says
   which clips, in which order (GET …/announcement); announcer.js says which call is said
   next and which is too late to say; this file only fetches, decodes, caches and plays.

   Browsers may refuse sound until someone touches the page (autoplay policy). Then the
   "sound off" button shows; one tap turns sound on. Kiosk Chromium can be started with
   --autoplay-policy=no-user-gesture-required (see config/voice/README.md). Calls made
   while sound is off are not kept for later: a late call would be a wrong call. */
(function () {
  "use strict";

  function createVoice(options) {
    const clipUrl = options.clipUrl;           // "/display/voice/" + name
    const onState = options.onState || function () {};
    const Context = window.AudioContext || window.webkitAudioContext;
    const ctx = Context ? new Context() : null;
    const buffers = new Map();                 // name -> Promise<AudioBuffer>
    let pending = 0;

    function state() {
      if (!ctx || ctx.state !== "running") return "off";
      return pending > 0 ? "playing" : "idle";
    }
    function report() { onState(state()); }

    function load(name) {
      if (!buffers.has(name)) {
        const loading = fetch(clipUrl + encodeURIComponent(name))
          .then((r) => { if (!r.ok) throw new Error("clip " + name + ": HTTP " + r.status); return r.arrayBuffer(); })
          .then((data) => ctx.decodeAudioData(data));
        loading.catch(() => buffers.delete(name));  // try again next time
        buffers.set(name, loading);
      }
      return buffers.get(name);
    }

    /** Play an announcement (a list of clip names) to its end; resolves to the number of
        clips heard (0 with sound off). A missing clip is skipped, not fatal. */
    async function play(clips) {
      if (!ctx || ctx.state !== "running") { report(); return 0; }
      pending += 1;
      report();
      try {
        const decoded = await Promise.all(clips.map((name) => load(name).catch((error) => {
          console.error(error);
          return null;
        })));
        let at = ctx.currentTime + 0.05;
        for (const buffer of decoded) {
          if (!buffer) continue;
          const source = ctx.createBufferSource();
          source.buffer = buffer;
          source.connect(ctx.destination);
          source.start(at);
          at += buffer.duration;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, (at - ctx.currentTime) * 1000) + 150));
        return decoded.filter(Boolean).length;
      } finally {
        pending -= 1;
        report();
      }
    }

    /** Try to turn sound on; browsers allow it from a tap, or always with the kiosk flag. */
    function enable() {
      if (!ctx) return Promise.resolve(false);
      return ctx.resume().then(() => { report(); return ctx.state === "running"; }, () => false);
    }

    /** Fetch and decode clips ahead of the first call, so that it is not delayed. */
    function preload(names) {
      if (ctx) names.forEach((name) => load(name).catch(() => {}));
    }

    if (ctx) ctx.onstatechange = report;
    enable();
    // Some browsers refuse resume() until a gesture but report nothing; check again.
    setTimeout(report, 300);
    return { play, enable, preload, state };
  }

  window.QHallVoice = { createVoice };
})();
