// The past conversations the assistant keeps: the list (fetched with the key, and again after each
// answer), opening one, forgetting one, and bringing back after a reload the one the page showed.

import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, deleteConversation, describeError, listConversations, loadConversation, type ConversationSummary } from "./api";
import type { Chat } from "./useChat";
import { CONVERSATION_STORAGE, KEY_STORAGE } from "./types";

/** What the list needs of the chat on the page. */
export type ShownChat = Pick<Chat, "conversationId" | "pending" | "answered" | "show" | "unlink" | "setError" | "clearStatus">;

export interface Conversations {
  /** Newest first; empty until the first answer from the gateway. */
  list: ConversationSummary[];
  /** Fetches the list again (a failure keeps the old one: the chat works without it). */
  refresh: () => void;
  /** Shows conversation `id`; false when it did not open (an answer is being worked on, or it
   *  could not be loaded: the chat's error says why). */
  open: (id: string) => Promise<boolean>;
  /** Forgets conversation `id` on the server; true when it was the one shown, so the page should
   *  start a new conversation. */
  forget: (id: string) => Promise<boolean>;
}

export function useConversations({ apiKey, chat }: { apiKey: string; chat: ShownChat }): Conversations {
  const [list, setList] = useState<ConversationSummary[]>([]);
  const { answered, show, unlink } = chat;

  // Only the latest request's answer is shown: an earlier one may come back after it.
  const latestRef = useRef(0);
  const refresh = useCallback(() => {
    if (!apiKey) return;
    const request = ++latestRef.current;
    listConversations(apiKey).then(
      (conversations) => {
        if (request === latestRef.current) setList(conversations);
      },
      () => {
        // The list is a convenience: the chat works without it.
      },
    );
  }, [apiKey]);

  // With a key, and again after each answer (a new conversation, or one that moved to the top).
  useEffect(() => {
    refresh();
  }, [refresh, answered]);

  // A reloaded page continues the conversation it showed. Once, on the first render: the key and
  // the conversation are the ones saved then (a key saved later does not reload the page).
  useEffect(() => {
    const id = localStorage.getItem(CONVERSATION_STORAGE);
    const key = localStorage.getItem(KEY_STORAGE);
    if (!id || !key) return;
    let current = true;
    loadConversation(id, key).then(
      (stored) => {
        if (current) show(id, stored);
      },
      () => {
        // Gone (pruned) or not reachable: start afresh.
        if (current) unlink(id);
      },
    );
    return () => {
      current = false;
    };
  }, [show, unlink]);

  async function open(id: string): Promise<boolean> {
    if (chat.pending) return false;
    chat.clearStatus();
    try {
      chat.show(id, await loadConversation(id, apiKey));
      return true;
    } catch (e) {
      chat.setError(describeError(e));
      refresh();
      return false;
    }
  }

  async function forget(id: string): Promise<boolean> {
    let shown = false;
    try {
      await deleteConversation(id, apiKey);
      shown = id === chat.conversationId;
    } catch (e) {
      // Already gone is what was asked for.
      if (!(e instanceof ApiError && e.status === 404)) chat.setError(describeError(e));
    }
    refresh();
    return shown;
  }

  return { list, refresh, open, forget };
}
