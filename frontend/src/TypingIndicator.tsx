export function TypingIndicator() {
  return (
    <div className="bubble assistant typing" role="status" aria-label="The assistant is typing">
      <span />
      <span />
      <span />
    </div>
  );
}
