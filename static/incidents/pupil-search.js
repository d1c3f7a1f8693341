// Narrows the pupil list as you type, and chooses the pupil when only one matches. Without
// JavaScript the Search button does the same on the server, so this is only a convenience.
const search = document.querySelector("[data-pupil-search]");
const select = document.querySelector("[data-pupil-select]");

// Lower case without accents or apostrophes, as the server search: "sian obrien" finds Siân O’Brien.
// Invisible marks go too (each name in the list ends with a left-to-right mark), so
// "Okafor, Maya" typed as the list shows it still matches.
const fold = (text) =>
  text
    .normalize("NFKD")
    .replace(/[\p{M}\p{Cf}]/gu, "")
    .replace(/['\u2018\u2019\u02bc`]/g, "")
    .toLowerCase();

if (search && select) {
  const options = [...select.options].filter((option) => option.value !== "");
  const status = document.querySelector("[data-pupil-search-status]");
  search.addEventListener("input", () => {
    const words = fold(search.value).split(/\s+/).filter(Boolean);
    const matching = options.filter((option) => {
      const match = words.every((word) => fold(option.text).includes(word));
      option.hidden = !match;
      option.disabled = !match;
      return match;
    });
    const shown = matching.length;
    // One match is the pupil meant; a choice the search no longer shows is undone.
    if (words.length && shown === 1) {
      select.value = matching[0].value;
    } else if (select.selectedOptions[0]?.disabled) {
      select.value = "";
    }
    if (status) {
      const found =
        shown === 0
          ? 'No pupil on the school list matches. Check the spelling, or add them under "The pupil is not on the list" below.'
          : shown === 1
            ? `1 pupil matches, and is chosen: ${matching[0].text}`
            : `${shown} pupils match`;
      status.textContent = words.length ? found : "";
    }
  });
}
