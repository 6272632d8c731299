/*! Chorus embed loader: one global (Chorus), loads the widget on first open. */
(function (w, d) {
  "use strict";
  try {
    var prev = w.Chorus;
    if (prev && prev.loaded) return;
    var s = d.currentScript || d.querySelector("script[data-brand]");
    if (!s) return;
    var ds = s.dataset, base = new URL(s.src, location.href).origin;
    var queue = (prev && prev.q) || [], mod = null, loading = null;
    var color = /^#[0-9a-f]{6}$/i.test(ds.color || "") ? ds.color : "#2563eb";
    var n = parseInt(color.slice(1), 16), lum = [n >> 16, (n >> 8) & 255, n & 255].map(function (c) {
      c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var fg = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2] > 0.179 ? "#000" : "#fff";
    var side = ds.position === "left" ? "left" : "right";
    var opts = { brand: ds.brand, base: base, lang: ds.lang || (navigator.language || "en").slice(0, 2), dir: ds.dir, color: color, position: side };
    var host = d.createElement("div");
    host.setAttribute("data-chorus", ds.brand || "");
    host.setAttribute("data-side", side);
    var root = host.attachShadow({ mode: "open" });
    root.innerHTML = "<style>:host{all:initial!important;display:block!important;position:fixed!important;z-index:2147483000!important;bottom:20px!important;" +
      side + ":20px!important;--c:" + color + ";--t:" + fg + "}</style>" +
      '<link rel="stylesheet" href="' + base + '__WIDGET_CSS__">' +
      '<button class="l" type="button" aria-haspopup="dialog" aria-expanded="false" aria-label="' +
      (opts.lang === "es" ? "Abrir ayuda" : "Open help") +
      '"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg></button>';
    var btn = root.querySelector("button");
    var load = function () {
      return loading || (loading = import(base + "__WIDGET_JS__").then(function (m) {
        return m.default({ module_or_path: base + "__WIDGET_WASM__" }).then(function () {
          m.mount(root, btn, opts);
          mod = m;
          while (queue.length) run(queue.shift());
        });
      }).catch(function (e) {
        loading = null;
        if (w.console) console.warn("Chorus: the widget could not load", e);
      }));
    };
    var run = function (a) {
      try { mod.command(String(a[0]), a[1] == null ? undefined : String(a[1])); } catch (e) { /* never throw on the host page */ }
    };
    var Chorus = function () {
      var a = [].slice.call(arguments);
      if (mod) return run(a);
      queue.push(a);
      load();
    };
    Chorus.loaded = true;
    w.Chorus = Chorus;
    btn.addEventListener("click", function () { Chorus("toggle"); });
    (d.body || d.documentElement).appendChild(host);
    if (queue.length) load();
  } catch (e) { /* a broken embed must never break the host page */ }
})(window, document);
