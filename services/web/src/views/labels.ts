/** French labels of the services' enumerations. */
export const AGE_BAND_LABELS: Record<string, string> = {
  under_26: 'Moins de 26 ans',
  '26_44': '26 à 44 ans',
  '45_59': '45 à 59 ans',
  '60_74': '60 à 74 ans',
  '75_plus': '75 ans et plus',
};
export const SITUATION_LABELS: Record<string, string> = {
  job_seeker: "Demandeur d'emploi",
  rsa_recipient: 'Allocataire du RSA',
  senior: 'Personne âgée',
  young_person: 'Jeune',
  other: 'Autre situation',
};
export const DIAGNOSTIC_LABELS: Record<string, string> = {
  no_autonomy: 'Aucune autonomie numérique',
  low_autonomy: 'Faible autonomie numérique',
  partial_autonomy: 'Autonomie numérique partielle',
};
export const VOID_REASON_LABELS: Record<string, string> = {
  lost: 'Perdu',
  stolen: 'Volé',
  issued_by_mistake: 'Délivré par erreur',
  other: 'Autre motif',
};
export const PASS_STATUS_LABELS: Record<string, string> = {
  issued: 'Disponible',
  redeemed: 'Utilisé',
  voided: 'Annulé',
  expired: 'Expiré',
};
export const BOOKLET_STATUS_LABELS: Record<string, string> = {
  issued: 'Délivré',
  started: 'Entamé',
  finished: 'Terminé',
  voided: 'Annulé',
  expired: 'Expiré',
};
export const SITE_STATUS_LABELS: Record<string, string> = {
  pending: 'En attente',
  accredited: 'Habilité',
  suspended: 'Suspendu',
  revoked: 'Retiré',
};
export const BADGE: Record<string, string> = {
  issued: 'info',
  started: 'new',
  finished: 'success',
  redeemed: 'success',
  voided: 'warning',
  expired: 'error',
  accredited: 'success',
  pending: 'info',
  suspended: 'warning',
  revoked: 'error',
  paid: 'success',
};
export const FUNDER_KIND_LABELS: Record<string, string> = {
  state: 'État',
  departement: 'Département',
  region: 'Région',
  caf: 'CAF',
  municipality: 'Commune',
  other: 'Autre',
};
/** Site decisions other than accreditation (the last segment of their route), and their buttons' words. */
export const SITE_DECISION_LABELS = {
  suspension: 'Suspendre',
  reinstatement: 'Rétablir',
  revocation: "Retirer l'habilitation",
} as const;
export type SiteDecision = keyof typeof SITE_DECISION_LABELS;
export const SITE_IMPORT_OUTCOME_LABELS: Record<string, string> = {
  created: 'lieux créés',
  updated: 'mis à jour',
  unchanged: 'inchangés',
  rejected: 'lignes refusées',
};
export const EVENT_LABELS: Record<string, string> = {
  BookletIssued: 'Carnet délivré',
  VoucherRedeemed: 'Pass utilisé',
  RedemptionCancelled: 'Utilisation annulée',
  VoucherVoidRequested: 'Annulation demandée',
  VoucherVoided: 'Pass annulé',
  VoucherVoidRejected: 'Annulation refusée',
  VoucherExpired: 'Pass expiré',
  SettlementStatementIssued: 'Relevé de règlement émis',
  SettlementPaid: 'Règlement payé',
};
export const ACTOR_LABELS: Record<string, string> = {
  agency: 'Structure',
  site: 'Lieu',
  system: 'Système',
  funder: 'Financeur',
  funding: 'Financement',
  operator: 'Opérateur',
};
