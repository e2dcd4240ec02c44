// Match cuts of one title (/static/matchcuts.html?title=T&kind=frame|motion&k=N): each pair
// side by side, A's last frame and B's first frame (the source video paused there), with its
// score; "Play cut" plays A's last second then B's first second in one <video>, seeking.
// On the main page it only adds a "Match cuts" link for the title picked in the title filter.
"use strict";

const MC_KEY_STORAGE = "reelsearch.apiKey";
const MC_SECONDS = 1.0;

async function mcApi(path) {
  const headers = new Headers();
  const key = localStorage.getItem(MC_KEY_STORAGE);
  if (key) headers.set("X-API-Key", key);
  const response = await fetch(path, { headers });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body && typeof body.detail === "string" ? body.detail : response.statusText;
    throw new Error(detail || `HTTP ${response.status}`);
  }
  return body;
}

function mcFrame(side, time, label) {
  const box = document.createElement("figure");
  box.className = "mc-side";
  const video = document.createElement("video");
  video.muted = true;
  video.preload = "auto";
  video.src = `${side.source_url}#t=${time.toFixed(3)}`;
  const caption = document.createElement("figcaption");
  caption.textContent = `${label}: shot ${side.shot_index} (${side.start.toFixed(2)}–${side.end.toFixed(2)} s)`;
  box.append(video, caption);
  return box;
}

function mcPlayCut(pair) {
  const player = document.getElementById("mc-player");
  const a = pair.outgoing;
  const b = pair.incoming;
  const from = Math.max(a.start, a.end - MC_SECONDS);
  const until = Math.min(b.end, b.start + MC_SECONDS);
  let cut = false;
  player.hidden = false;
  player.dataset.playing = String(pair.rank);
  player.dataset.phase = "A";
  player.src = a.source_url;
  player.ontimeupdate = () => {
    if (!cut && player.currentTime >= a.end - 0.02) {
      cut = true;
      player.dataset.phase = "B";
      player.currentTime = b.start;
    } else if (cut && player.currentTime >= until) {
      player.pause();
      player.dataset.phase = "done";
    }
  };
  player.onloadedmetadata = () => {
    player.currentTime = from;
    player.play().catch(() => {});
  };
}

function mcPairItem(pair) {
  const item = document.createElement("li");
  item.className = "mc-pair";
  item.dataset.rank = String(pair.rank);
  const fps = pair.outgoing.fps || 25;
  const score = document.createElement("span");
  score.className = "mc-score";
  score.textContent = `#${pair.rank} score ${pair.score.toFixed(3)}`;
  const play = document.createElement("button");
  play.type = "button";
  play.className = "mc-play";
  play.textContent = "Play cut";
  play.addEventListener("click", () => mcPlayCut(pair));
  item.append(
    score,
    mcFrame(pair.outgoing, Math.max(pair.outgoing.start, pair.outgoing.end - 1 / fps), "A last frame"),
    mcFrame(pair.incoming, pair.incoming.start, "B first frame"),
    play,
  );
  return item;
}

async function mcLoad() {
  const params = new URLSearchParams(location.search);
  const title = params.get("title") || "";
  const kindSelect = document.getElementById("mc-kind");
  kindSelect.value = params.get("kind") === "motion" ? "motion" : "frame";
  kindSelect.onchange = () => {
    params.set("kind", kindSelect.value);
    location.search = params.toString();
  };
  document.getElementById("mc-title").textContent = `Match cuts · ${title}`;
  const status = document.getElementById("mc-status");
  const list = document.getElementById("mc-pairs");
  const k = params.get("k") || "20";
  try {
    const query = new URLSearchParams({ title, kind: kindSelect.value, k });
    const answer = await mcApi(`/api/matchcuts?${query}`);
    list.replaceChildren(...answer.pairs.map(mcPairItem));
    status.textContent = answer.message
      || `${answer.pairs.length} pairs from ${answer.representatives} different shots (${answer.shots} in all)`;
  } catch (error) {
    status.textContent = error.message;
    status.classList.add("error");
  }
}

function mcLinkFromIndex() {
  const titles = document.getElementById("title-filter");
  if (!titles) return;
  const link = document.createElement("a");
  link.id = "matchcuts-link";
  link.textContent = "Match cuts";
  const update = () => {
    link.hidden = !titles.value;
    link.href = `/static/matchcuts.html?${new URLSearchParams({ title: titles.value })}`;
  };
  titles.addEventListener("change", update);
  titles.after(link);
  update();
}

if (document.getElementById("mc-pairs")) mcLoad();
else mcLinkFromIndex();
