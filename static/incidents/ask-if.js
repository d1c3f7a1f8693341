// Shows a question only when the answers above it call for it (its checklist `ask_if`, or the
// words asked for after a "yes"): no "was the device switched off?" without a device. Without
// JavaScript every question shows, and the server ignores answers to those that do not apply.
const form = document.querySelector("[data-ask-if-form]");

const update = () => {
  // In page order, so an answer inside a hidden block never reveals the block after it.
  const shown = new Set();
  for (const block of form.querySelectorAll("[data-ask-if]")) {
    const conditions = JSON.parse(block.dataset.askIf);
    const applies = Object.entries(conditions).every(([name, values]) => {
      const chosen = form.querySelector(`input[name="${CSS.escape(name)}"]:checked`);
      const hidden = chosen && chosen.closest("[data-ask-if]");
      return chosen && (!hidden || shown.has(hidden)) && values.includes(chosen.value);
    });
    block.classList.toggle("app-ask-if--hidden", !applies);
    if (applies) shown.add(block);
  }
};

if (form) {
  form.addEventListener("change", update);
  update();
}
