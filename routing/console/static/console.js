// Tipline console: live updates over server-sent events, the emergency alarm, copy buttons.
// Everything works without this file except the live refresh and the sound.
"use strict";

(function () {
  const root = document.documentElement;

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const text = document.getElementById(button.dataset.copy).textContent;
    navigator.clipboard.writeText(text).then(() => { button.textContent = "Copied"; });
  });

  if (document.body.dataset.signedIn !== "yes") return;

  // --- the alarm: a banner and a beep every 1.5 s until every emergency is acknowledged ---
  const banner = document.getElementById("alarm");
  const bannerTips = document.getElementById("alarm-tips");
  const soundButton = document.getElementById("alarm-sound");
  let audio = null;
  let beeper = null;

  function audioContext() {
    if (!audio) audio = new AudioContext();
    return audio;
  }

  function beep() {
    const ctx = audioContext();
    if (ctx.state !== "running") {
      // Browsers start sound only after a click on the page: ask for one.
      soundButton.hidden = false;
      root.dataset.alarmSound = "blocked";
      ctx.resume();
      return;
    }
    soundButton.hidden = true;
    root.dataset.alarmSound = "playing";
    for (const [offset, pitch] of [[0, 880], [0.25, 660]]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = pitch;
      gain.gain.value = 0.25;
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + offset);
      osc.stop(ctx.currentTime + offset + 0.2);
    }
  }

  soundButton.addEventListener("click", () => { audioContext().resume().then(beep); });

  function showAlarm(references) {
    if (references.length === 0) {
      banner.hidden = true;
      root.dataset.alarm = "off";
      if (beeper) { clearInterval(beeper); beeper = null; }
      root.dataset.alarmSound = "off";
      return;
    }
    bannerTips.replaceChildren(...references.map((reference) => {
      const link = document.createElement("a");
      link.href = "/console/tips/" + reference;
      link.textContent = reference;
      return link;
    }));
    banner.hidden = false;
    root.dataset.alarm = "on";
    if (!beeper) { beep(); beeper = setInterval(beep, 1500); }
  }

  // --- live updates -------------------------------------------------------------------------
  const queue = document.getElementById("queue-live");
  const status = document.getElementById("live-status");
  let cursor = null;

  async function refreshQueue() {
    const response = await fetch(queue.dataset.source, { credentials: "same-origin" });
    if (response.redirected || !response.ok) return;
    queue.innerHTML = await response.text();
  }

  const events = new EventSource("/console/events");
  events.addEventListener("open", () => { status.textContent = "live"; });
  events.addEventListener("error", () => { status.textContent = "reconnecting…"; });
  events.addEventListener("signed_out", () => { events.close(); window.location.assign("/console/login"); });
  events.addEventListener("pulse", (event) => {
    const pulse = JSON.parse(event.data);
    showAlarm(pulse.alarms);
    if (queue && pulse.cursor !== cursor) refreshQueue();
    cursor = pulse.cursor;
    root.dataset.cursor = String(cursor);
  });
})();
