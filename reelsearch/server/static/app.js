// The reelsearch editor UI: search, browse hits grouped by title, play shots, page through.
// Plain JavaScript on the JSON API under /api; nothing loads from elsewhere.
"use strict";

const KEY_STORAGE = "reelsearch.apiKey";

const $ = (id) => document.getElementById(id);

const state = {
  base: null, // the request without paging: {text | like | image, algos, filter}
  label: null, // what the chip says about the query
  page: { offset: 0, cursor: null }, // where the current page starts
  history: [], // pages before the current one, for "Previous"
  next: null, // where the next page starts, or null
  cursorField: null, // the request field that takes next_cursor, if the server has one
  groupField: null, // the request field that groups hits by title, if the server has one
  apiKey: localStorage.getItem(KEY_STORAGE) || "",
  maxUpload: 0,
};

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  if (state.apiKey) headers.set("X-API-Key", state.apiKey);
  if (options.json !== undefined) {
    headers.set("Content-Type", "application/json");
    options = { ...options, method: "POST", body: JSON.stringify(options.json) };
  }
  let response;
  try {
    response = await fetch(path, { ...options, headers });
  } catch (error) {
    throw new ApiError(0, "The server cannot be reached. Is `reelsearch serve` running?");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body && typeof body.detail === "string" ? body.detail : response.statusText;
    throw new ApiError(response.status, detail || `HTTP ${response.status}`);
  }
  return body;
}

// ---------------------------------------------------------------- errors

function showError(error, warning = false) {
  if (error instanceof ApiError && error.status === 401) {
    $("key-panel").hidden = false;
    $("api-key").focus();
  }
  $("error-text").textContent = error.message || String(error);
  $("error-banner").classList.toggle("warning", warning);
  $("error-banner").hidden = false;
}

function showFailures(failures) {
  if (!failures || !failures.length) return;
  const lines = failures.map((f) => `${f.searcher}: ${f.message}`);
  showError(new Error(`Some searches failed; showing the others' hits. ${lines.join(" · ")}`), true);
}

function clearError() {
  $("error-banner").hidden = true;
  $("error-text").textContent = "";
}

// ---------------------------------------------------------------- formatting

function clock(seconds) {
  const s = Math.max(0, seconds);
  const minutes = Math.floor(s / 60);
  const rest = (s - minutes * 60).toFixed(2).padStart(5, "0");
  return `${minutes}:${rest}`;
}

function timecodes(hit) {
  const start = hit.start_timecode || clock(hit.start);
  const end = hit.end_timecode || clock(hit.end);
  return `${start} – ${end}`;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---------------------------------------------------------------- loading the page

async function loadSearches() {
  const listing = await api("/api/searches");
  const select = $("search-kind");
  for (const search of listing.searches) {
    if (!search.query_kinds.includes("text")) continue;
    const option = el("option", null, search.name);
    option.value = search.name;
    option.title = search.description;
    select.append(option);
  }
  const properties = (listing.request_schema && listing.request_schema.properties) || {};
  state.cursorField = "cursor" in properties ? "cursor" : null;
  state.groupField = "group_by" in properties ? "group_by" : null;
  const imageSearch = listing.searches.some((s) => s.query_kinds.includes("image"));
  $("image-button").title = imageSearch
    ? "Search by a still image"
    : "No registered search answers image queries yet";
  $("query").maxLength = listing.limits.max_query_chars;
  state.maxUpload = listing.limits.max_upload_bytes;
}

async function loadTitles() {
  const { titles } = await api("/api/titles");
  const select = $("title-filter");
  select.replaceChildren(select.options[0]);
  for (const title of titles) {
    const option = el("option", null, `${title.title} (${title.assets})`);
    option.value = title.title;
    select.append(option);
  }
}

async function start() {
  try {
    await loadSearches();
    await loadTitles();
  } catch (error) {
    showError(error);
  }
}

// ---------------------------------------------------------------- searching

function filter() {
  const title = $("title-filter").value;
  return title ? { titles: [title] } : {};
}

function pageSize() {
  return Number($("page-size").value);
}

function begin(base, label) {
  state.base = base;
  state.label = label;
  state.page = { offset: 0, cursor: null };
  state.history = [];
  return runPage();
}

function withGrouping(request) {
  return state.groupField ? { ...request, [state.groupField]: "title" } : request;
}

function pageRequest() {
  const request = { ...withGrouping(state.base), limit: pageSize() };
  if (state.page.cursor && state.cursorField) request[state.cursorField] = state.page.cursor;
  else request.offset = state.page.offset;
  return request;
}

async function runPage(upload) {
  clearError();
  const results = $("results");
  results.classList.add("loading");
  $("status").textContent = "Searching…";
  try {
    const response = upload ? await upload() : await api("/api/search", { json: pageRequest() });
    if (response.upload) state.base = { ...state.base, image: response.upload };
    const size = pageSize();
    if (response.next_cursor && state.cursorField) {
      state.next = { offset: state.page.offset + size, cursor: response.next_cursor };
    } else if (!response.next_cursor && response.hits.length >= size) {
      state.next = { offset: state.page.offset + size, cursor: null };
    } else {
      state.next = null;
    }
    render(response);
    showFailures(response.errors);
  } catch (error) {
    $("status").textContent = "";
    showError(error);
  } finally {
    results.classList.remove("loading");
  }
}

function searchText(event) {
  event.preventDefault();
  const text = $("query").value.trim();
  if (!text) return;
  const kind = $("search-kind").value;
  begin({ text, algos: kind ? [kind] : [], filter: filter() }, ["Text", text]);
}

function searchLike(hit) {
  const label = `${hit.title} ${hit.start_timecode || clock(hit.start)}`;
  begin({ like: hit.id, algos: [hit.algo], filter: filter() }, ["More like", label]);
}

function searchImage() {
  const input = $("image-input");
  const file = input.files && input.files[0];
  input.value = "";
  if (!file) return;
  if (state.maxUpload && file.size > state.maxUpload) {
    showError(new Error(`${file.name} is ${file.size} bytes; this server accepts images of at most ${state.maxUpload} bytes`));
    return;
  }
  state.base = { image: null, algos: [], filter: filter() };
  state.label = ["Image", file.name];
  state.page = { offset: 0, cursor: null };
  state.history = [];
  const form = new FormData();
  form.append("file", file);
  form.append("params", JSON.stringify(withGrouping({ filter: filter(), limit: pageSize() })));
  runPage(() => api("/api/search/image", { method: "POST", body: form }));
}

function goNext() {
  if (!state.next) return;
  state.history.push(state.page);
  state.page = state.next;
  runPage();
}

function goPrevious() {
  if (!state.history.length) return;
  state.page = state.history.pop();
  runPage();
}

// ---------------------------------------------------------------- rendering

function render(response) {
  const hits = response.hits;
  $("empty").hidden = true;
  const chip = $("query-chip");
  chip.replaceChildren(el("b", null, `${state.label[0]}:`), document.createTextNode(` ${state.label[1]}`));
  chip.hidden = false;
  const first = state.page.offset + 1;
  const of = typeof response.total === "number" ? ` of ${response.total}` : "";
  $("status").textContent = hits.length
    ? `Hits ${first}–${first + hits.length - 1}${of} · ${response.took_ms.toFixed(1)} ms`
    : state.history.length ? "No more hits" : "No shots match this search";
  const totals = new Map((response.groups || []).map((g) => [g.key, g.count]));

  const groups = new Map();
  for (const hit of hits) {
    if (!groups.has(hit.title)) groups.set(hit.title, []);
    groups.get(hit.title).push(hit);
  }
  const sections = [];
  for (const [title, group] of groups) {
    group.sort((a, b) => a.asset_id.localeCompare(b.asset_id) || a.start - b.start);
    const section = el("section", "group");
    section.dataset.title = title;
    const head = el("div", "group-head");
    const total = totals.get(title);
    const counted = total && total > group.length ? `${group.length} of ${total} hits` : `${group.length} ${group.length === 1 ? "hit" : "hits"}`;
    head.append(el("h2", null, title), el("span", "count", counted));
    const grid = el("div", "grid");
    grid.append(...group.map(card));
    section.append(head, grid);
    sections.push(section);
  }
  $("results").replaceChildren(...sections);

  $("pager").hidden = !state.history.length && !state.next;
  $("prev").disabled = !state.history.length;
  $("next").disabled = !state.next;
  $("page-label").textContent = `Page ${state.history.length + 1}`;
}

function card(hit) {
  const node = el("article", "card");
  node.dataset.hitId = hit.id;

  const thumb = el("button", "thumb");
  thumb.type = "button";
  thumb.title = "Play this shot";
  if (hit.thumbnail_url) {
    const image = el("img");
    image.src = hit.thumbnail_url; // a signed link: loads without the key
    image.alt = `${hit.title} at ${hit.start_timecode || clock(hit.start)}`;
    image.loading = "lazy";
    thumb.append(image);
  } else {
    thumb.append(el("span", "no-thumb", "No thumbnail"));
  }
  thumb.append(el("span", "play"), el("span", "duration", `${(hit.end - hit.start).toFixed(1)} s`));
  thumb.addEventListener("click", () => play(hit));

  const meta = el("div", "meta");
  meta.append(el("div", "timecode", timecodes(hit)));
  const row = el("div", "meta-row");
  row.append(el("span", "badge", hit.algo), el("span", "score", `score ${hit.score.toFixed(3)}`));
  const bar = el("div", "score-bar");
  const fill = el("span");
  fill.style.width = `${Math.round(Math.max(0, Math.min(1, hit.score)) * 100)}%`;
  bar.append(fill);
  const like = el("button", "like", "More like this");
  like.type = "button";
  like.addEventListener("click", () => searchLike(hit));
  meta.append(row, bar, like);

  node.append(thumb, meta);
  return node;
}

// ---------------------------------------------------------------- playing a shot

function play(hit) {
  const video = $("player-video");
  const source = hit.clip_url || `${hit.source_url}#t=${hit.start.toFixed(3)},${hit.end.toFixed(3)}`;
  video.src = source; // signed by the server, like the thumbnail
  $("player-caption").textContent = `${hit.title} · ${timecodes(hit)}${hit.clip_url ? "" : " (source)"}`;
  $("player").showModal();
  video.play().catch(() => {});
}

function closePlayer() {
  const video = $("player-video");
  video.pause();
  video.removeAttribute("src");
  video.load();
  $("player").close();
}

// ---------------------------------------------------------------- wiring

function hasQuery() {
  return Boolean(state.base) && state.base.image !== null;
}

async function useKey(event) {
  event.preventDefault();
  state.apiKey = $("api-key").value.trim();
  localStorage.setItem(KEY_STORAGE, state.apiKey);
  $("key-panel").hidden = true;
  clearError();
  $("search-kind").replaceChildren($("search-kind").options[0]);
  await start();
  if (hasQuery()) runPage();
}

document.addEventListener("DOMContentLoaded", () => {
  $("search-form").addEventListener("submit", searchText);
  $("image-input").addEventListener("change", searchImage);
  $("error-close").addEventListener("click", clearError);
  $("key-panel").addEventListener("submit", useKey);
  $("next").addEventListener("click", goNext);
  $("prev").addEventListener("click", goPrevious);
  $("page-size").addEventListener("change", () => {
    if (hasQuery()) begin(state.base, state.label);
  });
  $("player-close").addEventListener("click", closePlayer);
  $("player").addEventListener("close", closePlayer);
  $("player").addEventListener("click", (event) => {
    if (event.target === $("player")) closePlayer();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "/" && document.activeElement !== $("query")) {
      event.preventDefault();
      $("query").focus();
    }
  });
  start();
});
