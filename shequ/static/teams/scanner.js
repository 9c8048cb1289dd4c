// The staff's scanner at an activity's door (teams/scanner.html). A pass reads `<activity>.<sign-up>:
// <signature>`; the page names the person from the roster it carries, queues the scan on the phone
// (localStorage, so a reload keeps it) and sends the queue whenever it is online. The server checks
// every signature and answers each scan on its own.
(function () {
  "use strict";
  const root = document.getElementById("scanner");
  if (!root) return;
  const roster = JSON.parse(document.getElementById("scanner-roster").textContent);
  const d = root.dataset;
  const storeKey = "shequ.scans." + roster.activity;
  const log = document.getElementById("scan-log");
  const pendingEl = document.getElementById("pending");
  const net = document.getElementById("net");
  const alertBox = document.getElementById("scanner-alert");
  const BADGE = { in: "success", again: "secondary", repeat: "secondary", queued: "warning", refused: "danger" };
  let queue = load();
  let busy = false;

  function load() {
    try {
      const q = JSON.parse(localStorage.getItem(storeKey) || "[]");
      return Array.isArray(q) ? q : [];
    } catch (e) {
      return [];
    }
  }
  function save() {
    localStorage.setItem(storeKey, JSON.stringify(queue));
    pendingEl.textContent = String(queue.length);
    pendingEl.dataset.count = String(queue.length);
  }
  function uid() {
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }
  function csrf() {
    const m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }
  function say(message) {
    alertBox.textContent = message || "";
    alertBox.classList.toggle("d-none", !message);
  }
  function setOnline(on) {
    net.textContent = on ? net.dataset.online : net.dataset.offline;
    net.className = "badge text-bg-" + (on ? "success" : "secondary");
    root.dataset.online = on ? "1" : "0";
  }

  // One line of the log: the person, what happened, and the time of the scan (newest on top).
  function show(row) {
    let li = row.id ? log.querySelector('[data-scan="' + row.id + '"]') : null;
    if (!li) {
      li = document.createElement("li");
      li.className = "list-group-item small d-flex gap-2 align-items-start";
      if (row.id) li.dataset.scan = row.id;
      log.prepend(li);
    }
    li.dataset.status = row.status;
    li.replaceChildren();
    const time = document.createElement("span");
    time.className = "text-muted";
    time.textContent = new Date(row.at || Date.now()).toTimeString().slice(0, 5);
    const name = document.createElement("span");
    name.className = "fw-semibold";
    name.textContent = row.name || "—";
    const badge = document.createElement("span");
    badge.className = "badge text-bg-" + BADGE[row.status] + " ms-auto";
    badge.textContent = d["label" + row.status[0].toUpperCase() + row.status.slice(1)];
    const body = document.createElement("div");
    body.className = "me-auto";
    body.append(name);
    if (row.message) {
      const m = document.createElement("div");
      m.className = row.status === "refused" ? "text-danger" : "text-muted";
      m.textContent = row.message;
      body.append(m);
    }
    li.append(time, body, badge);
  }

  function accept(raw) {
    const code = String(raw || "").trim();
    if (!code) return;
    say("");
    const m = /^(\d+)\.(\d+):/.exec(code);
    if (!m) return show({ status: "refused", message: d.msgBad });
    if (Number(m[1]) !== roster.activity) return show({ status: "refused", message: d.msgOther });
    const person = roster.signups[m[2]];
    const name = person ? person.name : "";
    if (queue.some((q) => q.code === code)) return show({ status: "repeat", name: name, message: d.msgQueuedAgain });
    if (person && person.in) return show({ status: "again", name: name, message: d.msgAgain });
    const scan = { id: uid(), code: code, at: new Date().toISOString(), name: name };
    queue.push(scan);
    save();
    if (person) person.in = true;
    show({ id: scan.id, status: "queued", name: name, at: scan.at, message: person ? "" : d.msgUnknown });
    flush();
  }

  async function flush() {
    if (busy || !queue.length) return;
    if (!navigator.onLine) return setOnline(false);
    busy = true;
    const batch = queue.slice(0, 200);
    try {
      const r = await fetch(d.syncUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ scans: batch.map((q) => ({ id: q.id, code: q.code, at: q.at })) }),
      });
      setOnline(true);
      const type = r.headers.get("Content-Type") || "";
      if (!type.includes("application/json")) return say(d.msgLogin);
      const body = await r.json();
      if (!r.ok) return say(body.message || d.msgLogin);
      const done = new Set();
      for (const res of body.results) {
        const q = batch.find((x) => x.id === res.id);
        done.add(res.id);
        show({ id: res.id, status: res.status, name: res.name || (q && q.name), at: q && q.at, message: res.message });
      }
      queue = queue.filter((q) => !done.has(q.id));
      save();
      document.getElementById("checked-in").textContent = String(body.checked_in);
    } catch (e) {
      setOnline(false);
    } finally {
      busy = false;
    }
    if (queue.length && navigator.onLine) setTimeout(flush, 500);
  }

  // The camera: frames read by jsQR a few times a second; the same code is not taken twice in a row.
  let last = "";
  let lastAt = 0;
  async function startCamera() {
    const video = document.getElementById("camera");
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      video.srcObject = stream;
      await video.play();
    } catch (e) {
      return say(d.msgCamera);
    }
    document.getElementById("camera-box").classList.remove("d-none");
    document.getElementById("camera-start").classList.add("d-none");
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    const tick = () => {
      if (video.readyState >= 2 && video.videoWidth) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        ctx.drawImage(video, 0, 0);
        const found = window.jsQR(ctx.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
        if (found && found.data && (found.data !== last || Date.now() - lastAt > 3000)) {
          last = found.data;
          lastAt = Date.now();
          accept(found.data);
        }
      }
      setTimeout(tick, 250);
    };
    tick();
  }

  document.getElementById("camera-start").addEventListener("click", startCamera);
  document.getElementById("scan-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const input = document.getElementById("scan-code");
    accept(input.value);
    input.value = "";
    input.focus();
  });
  window.addEventListener("online", () => {
    setOnline(true);
    flush();
  });
  window.addEventListener("offline", () => setOnline(false));
  setInterval(flush, 10000);
  for (const q of queue) show({ id: q.id, status: "queued", name: q.name, at: q.at });
  save();
  setOnline(navigator.onLine);
  root.dataset.ready = "1";
  flush();
})();
