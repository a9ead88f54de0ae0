// yit serve: live pages and the board's cards. Every page works without
// this script; it keeps an open page in step with the files (server-sent
// events) and lets a card be dragged, or moved with Shift+arrows.
"use strict";

const state = document.getElementById("live-state");
const say = (text) => { if (state) state.textContent = text; };

// --- live updates -------------------------------------------------------
let busy = false, again = false;

async function refresh() {
  if (busy) { again = true; return; }
  busy = true;
  try {
    do {
      again = false;
      const response = await fetch(location.href, { credentials: "same-origin", headers: { "X-Yit-Live": "1" } });
      const text = await response.text();
      const fresh = new DOMParser().parseFromString(text, "text/html");
      const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.id : null;
      for (const el of fresh.querySelectorAll("[data-live][id]")) {
        const old = document.getElementById(el.id);
        if (old) old.replaceWith(document.adoptNode(el));
      }
      if (fresh.body && fresh.body.dataset.version) document.body.dataset.version = fresh.body.dataset.version;
      if (focused) {
        const again = document.querySelector(`.card[data-id="${CSS.escape(focused)}"]`);
        if (again) again.focus();
      }
      markStale();
    } while (again);
  } catch (e) {
    say("could not refresh: " + e.message);
  } finally {
    busy = false;
  }
}

// an issue page whose file changed since its form was made says so
function markStale() {
  const view = document.getElementById("view");
  const form = document.querySelector("#edit-fields input[name=version]");
  const note = document.getElementById("stale");
  if (!view || !form || !note) return;
  note.hidden = view.dataset.fileVersion === form.value;
}

function listen() {
  const events = new EventSource("/events");
  events.addEventListener("hello", (e) => {
    say("live");
    if (e.data !== document.body.dataset.version) refresh();
  });
  events.addEventListener("change", () => refresh());
  events.onerror = () => say("reconnecting…");
}

// --- the board ------------------------------------------------------------
async function move(card, status) {
  if (!status || status === card.dataset.status) return;
  say("moving " + card.querySelector(".id").textContent + " to " + status + "…");
  const response = await fetch("/api/issues/" + encodeURIComponent(card.dataset.id), {
    method: "PATCH",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ status }),
  });
  if (!response.ok) {
    let message = response.statusText;
    try { message = (await response.json()).error.message; } catch (_) { /* not JSON */ }
    say("not moved: " + message);
  } else {
    say("live");
  }
  await refresh();
}

let drag = null;
let suppressClick = false;

document.addEventListener("pointerdown", (e) => {
  const card = e.target.closest && e.target.closest(".card");
  if (!card || e.button !== 0) return;
  drag = { card, x: e.clientX, y: e.clientY, ghost: null, over: null };
});

document.addEventListener("pointermove", (e) => {
  if (!drag) return;
  if (!drag.ghost) {
    if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) < 6) return;
    drag.ghost = drag.card.cloneNode(true);
    drag.ghost.classList.add("ghost");
    document.body.appendChild(drag.ghost);
    drag.card.classList.add("dragging");
  }
  e.preventDefault();
  drag.ghost.style.left = e.clientX + 8 + "px";
  drag.ghost.style.top = e.clientY + 8 + "px";
  const under = document.elementFromPoint(e.clientX, e.clientY);
  const column = under && under.closest(".column");
  if (drag.over && drag.over !== column) drag.over.classList.remove("drop");
  drag.over = column;
  if (column) column.classList.add("drop");
});

document.addEventListener("pointerup", (e) => {
  if (!drag) return;
  const { card, ghost, over } = drag;
  drag = null;
  if (!ghost) return;
  ghost.remove();
  card.classList.remove("dragging");
  if (over) over.classList.remove("drop");
  suppressClick = true;
  e.preventDefault();
  if (over) move(card, over.dataset.status);
});

document.addEventListener("click", (e) => {
  if (suppressClick && e.target.closest && e.target.closest(".card")) e.preventDefault();
  suppressClick = false;
}, true);

document.addEventListener("keydown", (e) => {
  const card = e.target.closest && e.target.closest(".card");
  if (!card || !e.shiftKey || (e.key !== "ArrowLeft" && e.key !== "ArrowRight")) return;
  const columns = [...document.querySelectorAll(".column")];
  const at = columns.indexOf(card.closest(".column"));
  const to = columns[at + (e.key === "ArrowRight" ? 1 : -1)];
  if (to) { e.preventDefault(); move(card, to.dataset.status); }
});

markStale();
listen();
