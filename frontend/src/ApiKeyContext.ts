import { createContext } from "react";

/** The saved API key, for the parts of the page that read from the gateway on their own
 *  (the charts under answers). */
export const ApiKeyContext = createContext("");
