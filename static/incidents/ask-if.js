// Shows a question only when the answers above it call for it (its checklist `ask_if`, or the
// words asked for after a "yes"): no "was the device switched off?" without a device. Without
// JavaScript every question shows, and the server ignores answers to those that do not apply.
const form = document.querySelector("[data-ask-if-form]");

const update = () => {
  // In page order, so an answer inside a hidden block never reveals the block after it, and a
  // block inside a hidden one stays hidden.
  const shown = new Set();
  for (const block of form.querySelectorAll("[data-ask-if]")) {
    const conditions = JSON.parse(block.dataset.askIf);
    const outer = block.parentElement.closest("[data-ask-if]");
    const answered = ([name, values]) => {
      const chosen = form.querySelector(`input[name="${CSS.escape(name)}"]:checked`);
      const holder = chosen && chosen.closest("[data-ask-if]");
      return chosen && (!holder || shown.has(holder)) && values.includes(chosen.value);
    };
    const applies = (!outer || shown.has(outer)) && Object.entries(conditions).every(answered);
    block.classList.toggle("app-ask-if--hidden", !applies);
    if (applies) shown.add(block);
  }
};

if (form) {
  form.addEventListener("change", update);
  update();
}
