// The character gallery of the title picked in the title filter: each character's face crop,
// name and time on screen. Click a face to see the shots it is in (or, with a text search on
// screen, keep that search's hits to the times it is on screen); name a character in place.
// Uses api(), el(), $(), begin(), filter(), state, showError() and clearError() from app.js.
"use strict";

function characterLabel(person) {
  return person.name || `Unnamed ${person.id}`;
}

function filterByCharacter(person) {
  // An id finds a character's shots whether it is named or not.
  const query = { text: person.id, algos: ["characters"] };
  const base = state.base;
  const text = base && base.text && !(base.algos || []).includes("characters");
  if (text) {
    begin({ ...base, intersect: [{ query }] }, ["While on screen", `${base.text} · ${characterLabel(person)}`]);
  } else {
    begin({ ...query, filter: filter() }, ["Character", characterLabel(person)]);
  }
}

async function nameCharacter(person, name) {
  clearError();
  try {
    await api(`/api/characters/${encodeURIComponent(person.id)}/name`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: name.trim() || null }),
    });
  } catch (error) {
    showError(error);
    return;
  }
  await loadCharacters();
}

function characterCard(person) {
  const card = el("article", "character");
  card.dataset.characterId = person.id;
  const face = el("button", "character-face");
  face.type = "button";
  face.title = `Shots with ${characterLabel(person)}`;
  if (person.thumbnail_url) {
    const image = el("img");
    image.src = person.thumbnail_url; // a signed link: loads without the key
    image.alt = characterLabel(person);
    face.append(image);
  }
  face.addEventListener("click", () => filterByCharacter(person));
  const name = el("div", "character-name", person.name || "Unnamed");
  const time = el("div", "character-time", `${person.screen_time.toFixed(1)} s on screen`);
  const form = el("form", "character-rename");
  const input = el("input");
  input.type = "text";
  input.maxLength = 100;
  input.value = person.name || "";
  input.placeholder = "Name";
  input.setAttribute("aria-label", `Name of ${characterLabel(person)}`);
  const save = el("button", "ghost", "Save");
  save.type = "submit";
  form.append(input, save);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    nameCharacter(person, input.value);
  });
  card.append(face, name, time, form);
  return card;
}

async function loadCharacters() {
  const gallery = $("characters");
  const title = $("title-filter").value;
  if (!title) {
    gallery.hidden = true;
    gallery.replaceChildren();
    return;
  }
  let answer;
  try {
    answer = await api(`/api/characters?title=${encodeURIComponent(title)}`);
  } catch (error) {
    gallery.hidden = true; // 404: no such title, or no characters plugin on this server
    if (error.status !== 404) showError(error);
    return;
  }
  if ($("title-filter").value !== title) return; // another title was picked meanwhile
  const row = el("div", "character-row");
  row.append(...answer.characters.map(characterCard));
  gallery.replaceChildren(el("h2", null, `Characters in ${title}`), row);
  gallery.hidden = !answer.characters.length;
}

document.addEventListener("DOMContentLoaded", () => {
  const gallery = el("section", "characters");
  gallery.id = "characters";
  gallery.setAttribute("aria-label", "Characters");
  gallery.hidden = true;
  $("results").before(gallery);
  $("title-filter").addEventListener("change", loadCharacters);
});
