// Who is signed in (GET /api/v1/session) and what the role may use. The person recorded for every
// action is this account: the server takes it from the session, and the page shows it from here,
// never from anything kept in the browser.

export const state = {
  me: null, // {name, role, role_label, agency}; null while signed out
  lastName: '', // the account whose session ran out, offered again on the form
  workingDossier: null, // {id, code} of the dossier last open: the purpose of an owner look-up
  backHref: '#/tiep-nhan', // where a document's back link goes: the list or search it came from
};

// What each role may do, as the API's routes admit it (internal/api/api.go; the README's matrix).
// The page only hides what would be refused; the server decides.
const CAN = {
  upload: ['station', 'clerk', 'admin'],
  list: ['station', 'clerk', 'archivist', 'admin'], // the documents' status
  read: ['clerk', 'archivist', 'admin'], // papers: text, file, record, search, dossiers
  counter: ['clerk', 'admin'], // dossiers, the owner's store
  audit: ['auditor', 'admin'],
  reports: ['clerk', 'archivist', 'auditor', 'admin'], // the plan's indicators: counts, no one's data
  admin: ['admin'],
  accept: ['archivist', 'admin'],
  edit: ['clerk', 'archivist', 'admin'], // a paper's facts, a page's text checked
};
export const may = (what) => !!state.me && CAN[what].includes(state.me.role);
