use super::super::super::lines::split_lines;
use super::*;

/// Each marker as `display: role`, with ` quoted` when its text is unquoted.
fn learned(text: &str) -> Vec<String> {
    let (lines, _) = split_lines(text);
    let notation = learn(&lines.iter().collect::<Vec<_>>());
    notation
        .markers
        .iter()
        .map(|m| {
            let role = match m.role {
                Role::Echo(of) => format!("echo of {}", notation.markers[of].display),
                role => format!("{role:?}").to_lowercase(),
            };
            let quoted = if m.quoted { " quoted" } else { "" };
            format!("{}: {role}{quoted}", m.display)
        })
        .collect()
}

#[test]
fn learns_the_markers_of_each_notation() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "C:/S:",
            "S: 220 a\nC: EHLO x\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
            &["S:: server", "C:: client"],
        ),
        (
            "swaks, with an error reply and its own lines",
            "=== Trying a:25...\n=== Connected to a.\n<-  220 a\n -> EHLO x\n<-  250 ok\n -> RCPT TO:<b@c>\n<** 554 denied\n -> QUIT\n<-  221 bye\n=== Connection closed with remote host.\n",
            &["===: info", "<-: server", "->: client", "<**: server"],
        ),
        (
            "arrows the other way round, quoted (as in the report that came in)",
            "<- \"+OK ready\\r\\n\"\n-> \"USER a\\r\\n\"\n<- \"+OK\\r\\n\"\n-> \"QUIT\\r\\n\"\n<- \"+OK bye\\r\\n\"\n",
            &["<-: server quoted", "->: client quoted"],
        ),
        (
            "Ruby's own arrows: <- written, -> read",
            "opening connection to a:110...\nopened\n-> \"+OK ready\\r\\n\"\n<- \"USER a\\r\\n\"\n-> \"+OK\\r\\n\"\nread 18 bytes\n<- \"QUIT\\r\\n\"\n-> \"+OK bye\\r\\n\"\nread 4 bytes\n",
            &["->: server quoted", "<-: client quoted", "read # bytes: info"],
        ),
        (
            "Python smtplib: the retcode and data lines are its own",
            "reply: b'220 a\\r\\n'\nreply: retcode (220); Msg: b'a'\nsend: 'ehlo x\\r\\n'\nreply: b'250 ok\\r\\n'\nreply: retcode (250); Msg: b'ok'\nsend: 'data\\r\\n'\nreply: b'354 go\\r\\n'\nreply: retcode (354); Msg: b'go'\ndata: (354, b'go')\nsend: b'Subject: hi\\r\\n\\r\\nhello\\r\\n.\\r\\n'\nreply: b'250 queued\\r\\n'\nreply: retcode (250); Msg: b'queued'\ndata: (250, b'queued')\n",
            &["reply:: server quoted", "reply:: info", "send:: client quoted", "data:: info"],
        ),
        (
            "Python poplib: *put* repeats *cmd*, *resp* repeats *get*",
            "*cmd* 'USER a'\n*put* b'USER a'\n*get* b'+OK\\r\\n'\n*resp* b'+OK'\n*cmd* 'STAT'\n*put* b'STAT'\n*get* b'+OK 1 9\\r\\n'\n*resp* b'+OK 1 9'\n",
            &["*cmd*: client quoted", "*put*: echo of *cmd* quoted", "*get*: server quoted", "*resp*: echo of *get* quoted"],
        ),
        (
            "curl: CAPA body lines look like commands but are the server's",
            "*   Trying 127.0.0.1:110...\n* Connected to a (127.0.0.1) port 110\n< +OK ready\n> CAPA\n< +OK\n< CAPA\n< TOP\n< UIDL\n< USER\n< .\n> USER a\n< +OK\n> QUIT\n< +OK bye\n",
            &["*: info", "<: server", ">: client"],
        ),
        (
            "Chinese labels, one line each",
            "客户端: telnet a 25\n服务器端: 220 a\n客户端: HELO x\n回：250 OK\n客户端: QUIT\n服务器：221 Bye\n",
            &["客户端:: client", "服务器端:: server", "回：: server", "服务器：: server"],
        ),
        (
            "PHPMailer: time stamps and labels; its other lines share the stamp",
            "2024-03-01 10:00:00\tConnection: opening to a:25\n2024-03-01 10:00:00\tSERVER -> CLIENT: 220 a\n2024-03-01 10:00:00\tCLIENT -> SERVER: EHLO x\n2024-03-01 10:00:00\tSERVER -> CLIENT: 250-a\n                   \t                  250 8BITMIME\n2024-03-01 10:00:00\tCLIENT -> SERVER: QUIT\n2024-03-01 10:00:00\tSERVER -> CLIENT: 221 bye\n",
            &[
                "<date> <time> SERVER -> CLIENT:: server",
                "<date> <time> CLIENT -> SERVER:: client",
                "<date> <time>: info",
            ],
        ),
        (
            "hMailServer: quoted tab-separated fields",
            "\"SMTPD\"\t9\t1\t\"2024-03-01 10:00:00.100\"\t\"127.0.0.1\"\t\"SENT: 220 a\"\n\"SMTPD\"\t9\t1\t\"2024-03-01 10:00:00.110\"\t\"127.0.0.1\"\t\"RECEIVED: EHLO x\"\n\"SMTPD\"\t9\t1\t\"2024-03-01 10:00:00.111\"\t\"127.0.0.1\"\t\"SENT: 250 ok\"\n\"SMTPD\"\t9\t1\t\"2024-03-01 10:00:00.120\"\t\"127.0.0.1\"\t\"RECEIVED: QUIT\"\n",
            &[
                "\"SMTPD\" # # \"<date> <time>\" \"<ip>\" \"SENT:: server",
                "\"SMTPD\" # # \"<date> <time>\" \"<ip>\" \"RECEIVED:: client",
                "\"SMTPD\" # # \"<date> <time>\" \"<ip>\": info",
            ],
        ),
        (
            "arrows escaped by a web page",
            "&lt;-  220 a\n -&gt; EHLO x\n&lt;-  250 ok\n -&gt; QUIT\n&lt;-  221 bye\n",
            &["<-: server", "->: client"],
        ),
    ];
    for (name, text, expected) in cases {
        assert_eq!(learned(text), *expected, "{name}");
    }
}

#[test]
fn leaves_look_alikes_alone() {
    let cases: &[(&str, &str)] = &[
        (
            "a message body with quoted lines, one of them a command",
            "220 a\nHELO x\n250 ok\nDATA\n354 go\n> On Monday Bob wrote:\n> QUIT now\n> MAIL FROM:<b@c>\n.\n250 queued\nQUIT\n221 bye\n",
        ),
        (
            "a POP3 CAPA and LIST body",
            "+OK ready\nCAPA\n+OK\nUSER\nTOP\nUIDL\n.\nLIST\n+OK 2 messages\n1 350\n2 512\n.\nQUIT\n+OK bye\n",
        ),
        (
            "prose around a transcript",
            "In step 3: 250 OK means success.\n220 a\nHELO x\n250 ok\nThen: QUIT ends it.\nQUIT\n221 bye\n",
        ),
        (
            "a Markdown table of commands",
            "| Command | Meaning |\n| HELO x | hello |\n| QUIT | bye |\n220 a\nHELO x\n250 ok\n",
        ),
        (
            "a Windows prompt",
            "C:\\Users\\stu>telnet a 25\n220 a\nHELO x\n250 ok\nC:\\Users\\stu>\n",
        ),
    ];
    for (name, text) in cases {
        let markers = learned(text);
        let sided: Vec<&String> = markers
            .iter()
            .filter(|m| m.ends_with("client") || m.ends_with("server"))
            .collect();
        assert!(sided.is_empty(), "{name}: {markers:?}");
    }
}

#[test]
fn reads_a_marked_line() {
    let text = " -> \tfolded header line\n<-  250 ok\n -> EHLO x\n<-  250-a\n";
    let (lines, _) = split_lines(text);
    let notation = learn(&lines.iter().collect::<Vec<_>>());
    let mut head = Head::default();
    let mut read = |line: &str| {
        let marked = notation.marker_of(line, &mut head).expect("marked");
        match notation.payload(line, &marked) {
            Payload::Written(written) => written.to_string(),
            Payload::Lines(_, lines) => lines.join("|"),
        }
    };
    // One separator taken off the client's arrow, swaks' two off the server's.
    assert_eq!(read(" -> \tfolded header line"), "\tfolded header line");
    assert_eq!(read("<-  250-a"), "250-a");
    let (lines, _) = split_lines(
        "send: 'ehlo x\\r\\n'\nreply: b'250 ok\\r\\n'\nsend: 'data\\r\\n'\nreply: b'354 go\\r\\n'\nsend: b'a\\r\\n.\\r\\n'\n",
    );
    let notation = learn(&lines.iter().collect::<Vec<_>>());
    let marked = notation
        .marker_of("send: b'a\\r\\n.\\r\\n'", &mut Head::default())
        .expect("marked");
    assert!(matches!(
        notation.payload("send: b'a\\r\\n.\\r\\n'", &marked),
        Payload::Lines(_, lines) if lines == ["a", "."]
    ));
}
