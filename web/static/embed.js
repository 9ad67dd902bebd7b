/* One-line embedding on a municipal site:
     <script src="https://TIPLINE-HOST/report/embed.js" async></script>
   adds a "Report a concern" button that opens the tipline's page in a dialog (an iframe from the
   tipline's own origin, so the chat needs no cross-origin access and the host page's styles cannot
   reach it). data-lang="es" on the script tag opens it in Spanish. */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script.src).origin;
  var lang = script.getAttribute("data-lang") || document.documentElement.lang || "en";
  var label = lang.slice(0, 2) === "es" ? "Reportar una preocupación" : "Report a concern";
  var close = lang.slice(0, 2) === "es" ? "Cerrar" : "Close";

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-haspopup", "dialog");
  button.style.cssText = "position:fixed;right:1rem;bottom:1rem;z-index:2147483000;font:700 1rem/1.2 system-ui,sans-serif;" +
    "color:#fff;background:#0b4fb3;border:2px solid #fff;border-radius:2rem;padding:0.8rem 1.2rem;box-shadow:0 2px 8px rgba(0,0,0,.35);cursor:pointer";

  var dialog = document.createElement("dialog");
  dialog.setAttribute("aria-label", label);
  dialog.style.cssText = "width:min(100vw,48rem);height:min(100vh,44rem);max-width:100vw;max-height:100vh;padding:0;border:0;border-radius:0.5rem";
  var bar = document.createElement("div");
  bar.style.cssText = "display:flex;justify-content:flex-end;background:#1b1b1b";
  var shut = document.createElement("button");
  shut.type = "button";
  shut.textContent = close;
  shut.style.cssText = "font:700 1rem system-ui,sans-serif;color:#fff;background:#1b1b1b;border:0;padding:0.6rem 1rem;cursor:pointer";
  var frame = document.createElement("iframe");
  frame.title = label;
  frame.style.cssText = "width:100%;height:calc(100% - 2.6rem);border:0";
  bar.appendChild(shut);
  dialog.appendChild(bar);
  dialog.appendChild(frame);

  button.addEventListener("click", function () {
    if (!frame.src) { frame.src = origin + "/report/?embed=1&lang=" + encodeURIComponent(lang.slice(0, 2)); }
    dialog.showModal();
  });
  shut.addEventListener("click", function () { dialog.close(); button.focus(); });
  document.body.appendChild(button);
  document.body.appendChild(dialog);
})();
