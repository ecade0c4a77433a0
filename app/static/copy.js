// Copy buttons: without JavaScript the link stays a read-only field to select and copy;
// with it, each button[data-copy] (hidden in the HTML) appears and copies the value of
// the field it names, then says so in that field's status line.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  if (!field) continue;
  const status = document.getElementById(`${field.id}-status`);
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      document.execCommand("copy");
    }
    if (status) status.textContent = button.dataset.done || "";
  });
}
