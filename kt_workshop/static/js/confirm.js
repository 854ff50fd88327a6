// Ask before a destructive form is sent: forms carry their question in data-confirm
// (written by the server, already translated).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.dataset ? form.dataset.confirm : null;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Select a whole join link with one tap so it can be copied.
document.addEventListener("focusin", (event) => {
  if (event.target.classList && event.target.classList.contains("copy-link")) {
    event.target.select();
  }
});
