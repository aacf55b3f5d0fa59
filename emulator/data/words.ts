/** The word pools the generators draw names, topics and messages from (display form, ASCII slug). */

export const FIRST: ReadonlyArray<readonly [string, string]> = [
  ['Ana', 'ana'], ['José', 'jose'], ['Zoë', 'zoe'], ['François', 'francois'], ['Björn', 'bjorn'],
  ['Łukasz', 'lukasz'], ['Chloé', 'chloe'], ['Søren', 'soren'], ['Ángel', 'angel'], ['Émilie', 'emilie'],
  ['Jürgen', 'jurgen'], ['Olga', 'olga'], ['Mohammed', 'mohammed'], ['Priya', 'priya'], ['Wei', 'wei'],
  ['Yuki', 'yuki'], ['Kwame', 'kwame'], ['Liam', 'liam'], ['Emma', 'emma'], ['Sofía', 'sofia'],
  ['Mateo', 'mateo'], ['Anaïs', 'anais'], ['Çağla', 'cagla'], ['Siobhán', 'siobhan'], ['Oğuz', 'oguz'],
  ['Ingrid', 'ingrid'], ['Tomás', 'tomas'], ['Aoife', 'aoife'], ['Rafał', 'rafal'], ['Noah', 'noah'],
];
export const LAST: ReadonlyArray<readonly [string, string]> = [
  ['García', 'garcia'], ['Müller', 'muller'], ['Dvořák', 'dvorak'], ['Østergaard', 'ostergaard'],
  ['Nuñez', 'nunez'], ['Smith', 'smith'], ['Kowalski', 'kowalski'], ['Dubois', 'dubois'], ['Rossi', 'rossi'],
  ['Silva', 'silva'], ['Yılmaz', 'yilmaz'], ['Okafor', 'okafor'], ['Patel', 'patel'], ['Tanaka', 'tanaka'],
  ['Chen', 'chen'], ['O’Brien', 'obrien'], ['van der Berg', 'vanderberg'], ['Lefèvre', 'lefevre'],
  ['Håkansson', 'hakansson'], ['Nakamura', 'nakamura'],
];
export const WHOLE: ReadonlyArray<readonly [string, string]> = [
  ['山田 太郎', 'yamada.taro'], ['李小龙', 'li.xiaolong'], ['김민준', 'kim.minjun'], ['王芳', 'wang.fang'],
  ['佐藤 花子', 'sato.hanako'], ['Дмитрий Иванов', 'dmitry.ivanov'], ['Νίκος Παπαδόπουλος', 'nikos.papadopoulos'],
  ['فاطمة الزهراء', 'fatima.zahra'], ['אורי כהן', 'ori.cohen'], ['Nguyễn Văn An', 'nguyen.van.an'],
  ['ÉLODIE DUPONT', 'elodie.dupont'], ['ÅSA ÖBERG', 'asa.oberg'], ['JOHN O’NEILL', 'john.oneill'],
];
export const EMOJI = [' 🚀', ' 🦊', ' 🎉', ' 🌻', ' ☕', ' 👩‍💻', ' 🏳️‍🌈'];
export const BOT_NAMES = ['Deploy Bot', 'Standup Bot', 'Alert Manager', 'Giphy', 'Reminder', 'CI Status'];
export const APP_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['Jira', 'jira'], ['GitHub', 'github'], ['Zapier', 'zapier'], ['Poll', 'poll'], ['Google Drive', 'gdrive'],
];
export const DOMAINS = ['example.com', 'example.org', 'mail.example.net', 'corp.example.co.uk'];
export const DEPARTMENTS = ['Engineering', 'Sales', 'Support', 'Finance', 'Recursos Humanos', '研究開発', 'Ops'];
export const CITIES: ReadonlyArray<readonly [string, string]> = [
  ['São Paulo', 'BR'], ['München', 'DE'], ['Kraków', 'PL'], ['東京', 'JP'], ['Lagos', 'NG'], ['Montréal', 'CA'],
  ['Reykjavík', 'IS'], ['Zürich', 'CH'],
];
export const CHANNEL_WORDS = [
  'dev', 'backend', 'frontend', 'ops', 'random', 'support', 'sales', 'design', 'qa', 'release', 'infra',
  'security', 'data', 'mobile', 'marketing', 'hr', 'finance', 'legal', 'announcements', 'watercooler',
  'incidents', 'oncall', 'docs', 'api', 'growth', 'partners', 'events', 'hiring', 'alerts', 'feedback',
];
export const CHANNEL_FNAMES = ['Café ☕', 'Équipe Qualité', '日本チーム', 'Ñandú Project', 'Zürich Office', 'Δ Delta', '🎉 Celebrations', 'Ünïcödé'];
export const TEAM_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['engineering', 'Engineering'], ['design', 'Design 🎨'], ['ventas-espana', 'Ventas España'],
  ['サポート', 'サポート'], ['ops', 'Ops'], ['marketing', 'Marketing'], ['data-science', 'Data Science'],
  ['qualite', 'Qualité'], ['finance', 'Finance'], ['légal', 'Légal'],
];
export const CUSTOM_ROLES: ReadonlyArray<readonly [string, string, 'Users' | 'Subscriptions']> = [
  ['auditor', 'Read-only auditors (no permissions)', 'Users'],
  ['support-team', 'Support staff', 'Users'],
  ['équipe-qualité', 'Équipe qualité 🧪', 'Subscriptions'],
  ['read-only-观察员', '观察员', 'Users'],
  ['incident-commander', 'Runs incidents', 'Subscriptions'],
];
export const TOPICS = ['', 'Weekly sync', 'Ask anything 🙋', 'Status: green ✅', 'Read the pinned messages', 'Ça va?', '話題なし'];
export const MESSAGES = ['hello', 'again', 'LGTM 👍', 'ship it', 'Où est le rapport ?', 'ありがとう', 'see thread', '+1'];
export const SYS_MES_LISTS: ReadonlyArray<readonly string[]> = [['uj', 'ul', 'ru'], ['au', 'mute_unmute'], ['room_changed_topic']];
