/**
 * A client company as QDesk knows it (the MSP's customer), which a PSA company is matched to. End-users belong to a
 * customer through `EndUser.customerId` (`@qdesk/core`).
 * @public
 */
export interface Customer {
  /** Stable id in QDesk. */
  id: string;
  /** The tenant (MSP) whose customer this is. */
  tenantId: string;
  /** Name shown to admins. */
  name: string;
  /** Web domain (`contoso.example`) or web address, or `null` when unknown; compared after {@link normalizeDomain}. */
  domain: string | null;
}

/**
 * An end-user as matching sees them: what suggestions compare (email, display name, customer) and the admin's lists
 * show. The matching sync copies them from the directory into the mapping store (see `MatchingSyncConfig.directory`).
 * @public
 */
export interface MatchEndUser {
  /** End-user id in the directory. */
  id: string;
  /** Email, as the directory holds it. */
  email: string;
  /** Display name, as the directory holds it. */
  displayName: string;
  /** The customer the end-user belongs to, or `null` (then no contact is suggested for them). */
  customerId: string | null;
}

/** Who confirmed a link: the technician or admin, as a record keeps them. @public */
export interface ConfirmedBy {
  /** Stable id of the technician or admin. */
  id: string;
  /** Display name at the time of the confirmation. */
  name: string;
}

/** A confirmed link between a PSA company and a QDesk customer (one to one within a tenant). @public */
export interface CompanyLink {
  /** The tenant (MSP). */
  tenantId: string;
  /** PSA company id. */
  companyId: string;
  /** QDesk customer id. */
  customerId: string;
  /** Who confirmed it. */
  confirmedBy: ConfirmedBy;
  /** Epoch milliseconds of the confirmation. */
  confirmedAt: number;
}

/** A confirmed link between a PSA contact and a QDesk end-user (one to one within a tenant). @public */
export interface ContactLink {
  /** The tenant (MSP). */
  tenantId: string;
  /** PSA contact id. */
  contactId: string;
  /** End-user id in the directory. */
  endUserId: string;
  /** Who confirmed it. */
  confirmedBy: ConfirmedBy;
  /** Epoch milliseconds of the confirmation. */
  confirmedAt: number;
}

/**
 * How much a suggestion can be trusted. Only `strong` suggestions are confirmed in bulk; a `weak` one needs an admin
 * to look at it.
 * @public
 */
export type MatchStrength = 'strong' | 'weak';

/**
 * Why a company was suggested for a customer.
 * - `same_name`: the names are equal after {@link normalizeCompanyName}.
 * - `same_domain`: the company's web address and the customer's domain are equal after {@link normalizeDomain}.
 * @public
 */
export type CompanyMatchReason = 'same_name' | 'same_domain';

/**
 * Why a contact was suggested for an end-user.
 * - `same_email`: one of the contact's emails equals the end-user's email after {@link normalizeEmail}.
 * - `same_name_person`: first + last name equal the end-user's display name after {@link normalizePersonName}.
 * @public
 */
export type ContactMatchReason = 'same_email' | 'same_name_person';

/**
 * Why a suggestion must not be confirmed without a look. A suggestion with any conflict is never `strong`.
 * - `email_on_several_contacts`: the email that led to the suggestion is on several PSA contacts.
 * - `email_on_several_end_users`: the email that led to the suggestion is on several end-users.
 * - `shared_candidate`: the same customer (or end-user) is the strong candidate of several companies (or contacts);
 *   `otherIds` are the other companies (or contacts).
 * @public
 */
export type MatchConflict =
  | {
      /** The email is on several PSA contacts. */
      type: 'email_on_several_contacts';
      /** The email, normalised. */
      email: string;
      /** Every contact that has it. */
      contactIds: readonly string[];
    }
  | {
      /** The email is on several end-users. */
      type: 'email_on_several_end_users';
      /** The email, normalised. */
      email: string;
      /** Every end-user that has it. */
      endUserIds: readonly string[];
    }
  | {
      /** The candidate is the strong candidate of other companies (or contacts) too. */
      type: 'shared_candidate';
      /** Those other companies (or contacts). */
      otherIds: readonly string[];
    };

/**
 * What every suggestion carries, whatever it links. The arrays are read-only and may be shared between suggestions
 * (frozen): copy one before changing it.
 * @public
 */
export interface MatchSuggestionBase<Reason extends string> {
  /** The deciding reason (the strongest of `reasons`). */
  reason: Reason;
  /** Every reason that holds for this pair, strongest first. */
  reasons: readonly Reason[];
  /** `strong` only for a unique candidate without conflict. */
  strength: MatchStrength;
  /** True when several candidates match equally well: shown side by side, none picked. */
  tie: boolean;
  /** The other candidates of the tie (customer or end-user ids); empty when `tie` is false. */
  ties: readonly string[];
  /** Reasons not to trust this suggestion blindly; empty for a clean suggestion. */
  conflicts: readonly MatchConflict[];
}

/** A suggested link between a PSA company and a customer. @public */
export interface CompanyMatchSuggestion extends MatchSuggestionBase<CompanyMatchReason> {
  /** PSA company id. */
  companyId: string;
  /** Suggested customer id. */
  customerId: string;
}

/** A suggested link between a PSA contact and an end-user of its company's customer. @public */
export interface ContactMatchSuggestion extends MatchSuggestionBase<ContactMatchReason> {
  /** PSA contact id. */
  contactId: string;
  /** The contact's PSA company. */
  companyId: string;
  /** The customer that company is linked to (the end-user's customer). */
  customerId: string;
  /** Suggested end-user id. */
  endUserId: string;
  /** True when the PSA marks the contact inactive: still listed, flagged so the admin sees it. */
  inactive: boolean;
}

/** Where a sync stands: a phase of the current run, or the completed run. @public */
export type SyncPhase = 'companies' | 'contacts' | 'completed';

/**
 * What a mapping store keeps about the last sync so a failed run can resume where it stopped: the last record fully
 * processed in the current phase and the counts so far.
 * @public
 */
export interface SyncCheckpoint {
  /** Id of the run; records read by a run are stamped with it. */
  runId: string;
  /** The phase in progress, or `completed`. */
  phase: SyncPhase;
  /** Id of the last record stored in the current phase (the listing resumes after it), or `null` at its start. */
  afterId: string | null;
  /** Companies stored by this run so far. */
  companiesDone: number;
  /** Contacts stored by this run so far. */
  contactsDone: number;
  /** Epoch milliseconds the run started. */
  startedAt: number;
  /** Epoch milliseconds of the last checkpoint. */
  updatedAt: number;
  /** Epoch milliseconds the run completed, or `null` while it runs. */
  completedAt: number | null;
}

/**
 * The audit action of a link change: a PSA company linked to or unlinked from a customer, a PSA contact linked to or
 * unlinked from an end-user.
 * @public
 */
export type LinkAuditAction = 'link_company' | 'unlink_company' | 'link_contact' | 'unlink_contact';

/**
 * Why a link changed, as its audit record's `detail.via` says.
 * - `confirmed_suggestion`: an admin confirmed a suggestion ({@link confirmSuggestions}).
 * - `matched_by_hand` / `unmatched_by_hand`: an admin picked the pair, or removed the link ({@link matchByHand},
 *   {@link unmatch}).
 * - `matched_across_customers`: an admin picked a contact and an end-user of another customer than the one the
 *   contact's company is matched to (or the company is matched to none), and confirmed it after seeing both named
 *   ({@link matchByHand} with `confirmCrossCustomer`); the record's detail names both customers.
 * - `new_customer`: an admin made a customer from the company ({@link createCustomerFromCompany}).
 * - `removed_from_psa`: a completed sync no longer saw the company or contact, and dropped it with its link.
 * - `contact_deleted`: a PSA webhook said the contact was deleted.
 * @public
 */
export type LinkChangeReason =
  | 'confirmed_suggestion'
  | 'matched_by_hand'
  | 'matched_across_customers'
  | 'unmatched_by_hand'
  | 'new_customer'
  | 'removed_from_psa'
  | 'contact_deleted';
