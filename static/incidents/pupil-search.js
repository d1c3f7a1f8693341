// Narrows the pupil list as you type. Without JavaScript the Search button does the same on the
// server, so this is only a convenience.
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
    let shown = 0;
    for (const option of options) {
      const match = words.every((word) => fold(option.text).includes(word));
      option.hidden = !match;
      option.disabled = !match;
      shown += match ? 1 : 0;
    }
    if (status) {
      const found =
        shown === 0
          ? 'No pupil on the school list matches. Check the spelling, or add them under "The pupil is not on the list" below.'
          : shown === 1
            ? "1 pupil matches"
            : `${shown} pupils match`;
      status.textContent = words.length ? found : "";
    }
  });
}
