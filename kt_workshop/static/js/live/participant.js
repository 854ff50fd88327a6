// The participant's page: kept for offline reading (their itinerary) by the app shell.
import { keepPageForOffline } from "./shell.js";

keepPageForOffline();
