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

  // --- the alarm: a one-line bar with the count and the newest emergency nobody acknowledged ---
  // The beep sounds only while an emergency this person has not seen yet waits (opening its tip
  // page sees it); it can be paused for a few minutes (on the phone), the count stays on screen.
  // Each new emergency is announced once to screen readers, never again on a refresh.
  const user = document.body.dataset.user || "";
  const banner = document.getElementById("alarm");
  const count = document.getElementById("alarm-count");
  const plural = document.getElementById("alarm-plural");
  const newest = document.getElementById("alarm-newest");
  const pauseButton = document.getElementById("alarm-pause");
  const pausedNote = document.getElementById("alarm-paused");
  const soundButton = document.getElementById("alarm-sound");
  const announcer = document.getElementById("alarm-announce");
  const PAUSE_MINUTES = 5;
  let audio = null;
  let beeper = null;
  let waiting = [];

  function stored(name) {
    try { return JSON.parse(localStorage.getItem(`tipline:${user}:${name}`) || "null"); } catch (e) { return null; }
  }
  function store(name, value) {
    try { localStorage.setItem(`tipline:${user}:${name}`, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function remember(name, references) {
    const known = new Set(stored(name) || []);
    references.forEach((r) => known.add(r));
    store(name, [...known].slice(-500));
  }

  const viewing = document.querySelector("[data-tip]");
  if (viewing) remember("seen", [viewing.dataset.tip]);

  function pausedUntil() { return Number(stored("paused-until") || 0); }

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

  function sound() {
    const seen = new Set(stored("seen") || []);
    const unseen = waiting.filter((r) => !seen.has(r));
    const paused = pausedUntil() > Date.now();
    pausedNote.hidden = !paused;
    pauseButton.hidden = paused;
    if (paused) {
      pausedNote.textContent = `sound paused until ${new Date(pausedUntil()).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`;
    }
    if (unseen.length === 0 || paused) {
      if (beeper) { clearInterval(beeper); beeper = null; }
      root.dataset.alarmSound = paused ? "paused" : "off";
      return;
    }
    if (!beeper) { beep(); beeper = setInterval(beep, 4000); }
  }

  soundButton.addEventListener("click", () => { audioContext().resume().then(beep); });
  pauseButton.addEventListener("click", () => {
    store("paused-until", Date.now() + PAUSE_MINUTES * 60 * 1000);
    sound();
    pausedNote.focus?.();
  });
  setInterval(sound, 15000);  // the pause ends by itself

  function showAlarm(references) {
    waiting = references;
    if (references.length === 0) {
      banner.hidden = true;
      root.dataset.alarm = "off";
      sound();
      return;
    }
    count.textContent = String(references.length);
    plural.textContent = references.length === 1 ? "y" : "ies";
    newest.textContent = references[0];
    newest.href = "/console/tips/" + references[0];
    banner.hidden = false;
    root.dataset.alarm = "on";
    const announced = new Set(stored("announced") || []);
    const fresh = references.filter((r) => !announced.has(r));
    if (fresh.length) {
      announcer.textContent = fresh.length === 1 ? `New emergency: ${fresh[0]}` : `${fresh.length} new emergencies, newest ${fresh[0]}`;
      remember("announced", fresh);
    }
    sound();
  }

  // --- live updates -------------------------------------------------------------------------
  const queue = document.getElementById("queue-live");
  const status = document.getElementById("live-status");
  let cursor = null;

  async function refreshQueue() {
    const response = await fetch(queue.dataset.source, { credentials: "same-origin" });
    if (response.redirected || !response.ok) return;
    // Keep the keyboard where it was: the same link after the rows are replaced.
    const focused = queue.contains(document.activeElement) ? document.activeElement.getAttribute("href") : null;
    queue.innerHTML = await response.text();
    if (focused) {
      const again = [...queue.querySelectorAll("a[href]")].find((a) => a.getAttribute("href") === focused);
      (again || document.getElementById("queue-count")).focus({ preventScroll: true });
    }
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
