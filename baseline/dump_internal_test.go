package baseline

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/ferrymigrate/ferry/compat"
	"github.com/ferrymigrate/ferry/engine"
	"github.com/ferrymigrate/ferry/sqlsplit"
)

func TestPostgresBody(t *testing.T) {
	dump := `--
-- PostgreSQL database dump
--

\restrict AbC123

SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;

CREATE FUNCTION public.f() RETURNS void
    LANGUAGE plpgsql
    AS $$
SET x = 1;
$$;

SET default_tablespace = '';

CREATE TABLE public.t (id integer);

\unrestrict AbC123
`
	got, err := postgresBody([]byte(dump))
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	if strings.Contains(s, `\restrict`) || strings.Contains(s, `\unrestrict`) {
		t.Errorf("psql meta-commands kept:\n%s", s)
	}
	want := "RESET statement_timeout;\nRESET search_path;\nRESET check_function_bodies;\nRESET default_tablespace;\n"
	if !strings.HasSuffix(s, want) {
		t.Errorf("does not end with the resets (and only those; the body's SET x is not one):\n%s", s)
	}
	if _, err := sqlsplit.Split(engine.Postgres, got); err != nil {
		t.Error(err)
	}
}

func TestMySQLBody(t *testing.T) {
	dump := "/*M!999999\\- enable the sandbox mode */ \n" +
		"/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;\n" +
		"CREATE TABLE `t` (\n  `id` int(11) NOT NULL\n);\n" +
		"DELIMITER ;;\n" +
		"/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`127.0.0.1`*/ /*!50003 trigger trg before insert on t for each row begin set new.id = 1; end \n*/;;\n" +
		"CREATE DEFINER=`ro``ot`@`%` PROCEDURE `p`()\nbegin select 1; end\n;;\n" +
		"DELIMITER ;\n" +
		"/*!50001 CREATE ALGORITHM=UNDEFINED */\n/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */\n/*!50001 VIEW `v` AS select 1 AS `1` */;\n" +
		"/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;\n"
	got, err := mysqlBody([]byte(dump))
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	for _, bad := range []string{"sandbox", "DELIMITER", "DEFINER=", ";;"} {
		if strings.Contains(s, bad) {
			t.Errorf("kept %q:\n%s", bad, s)
		}
	}
	for _, want := range []string{
		"/*!50003 CREATE*/ /*!50003 trigger trg before insert on t for each row begin set new.id = 1; end \n*/;\n",
		"CREATE PROCEDURE `p`()\nbegin select 1; end;\n",
		"/*!50013 SQL SECURITY DEFINER */",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("lacks %q:\n%s", want, s)
		}
	}
	stmts, err := sqlsplit.Split(engine.MySQL, got)
	if err != nil || len(stmts) != 6 {
		t.Errorf("%d statements, %v", len(stmts), err)
	}
}

// TestDumpConnections: passwords go to the environment, never to argv.
func TestDumpConnections(t *testing.T) {
	u, _ := url.Parse("postgres://alice:s3cr%40t@db.example:6543/scratch?sslmode=require&search_path=app&password=other&pool_max_conns=4")
	conninfo, env := pgDumpConn(u)
	if strings.Contains(conninfo, "s3cr") || strings.Contains(conninfo, "other") || strings.Contains(conninfo, "search_path") || strings.Contains(conninfo, "pool_max_conns") {
		t.Errorf("conninfo %q", conninfo)
	}
	if conninfo != "postgresql://alice@db.example:6543/scratch?sslmode=require" {
		t.Errorf("conninfo %q", conninfo)
	}
	if !slices.Equal(env, []string{"PGPASSWORD=s3cr@t", "PGPASSWORD=other"}) {
		t.Errorf("env %q", env)
	}

	dev, err := compat.ParseDatabaseURL("mysql://bob:p%40ss@tcp(db.example:3307)/app?tls=skip-verify")
	if err != nil {
		t.Fatal(err)
	}
	args, env := mysqlDumpConn(dev, true)
	if strings.Contains(strings.Join(args, " "), "p@ss") || strings.Contains(strings.Join(args, " "), "p%40ss") {
		t.Errorf("password in args %q", args)
	}
	if want := []string{"--no-defaults", "--protocol=TCP", "--host=db.example", "--port=3307", "--user=bob", "--ssl"}; !slices.Equal(args, want) {
		t.Errorf("args %q, want %q", args, want)
	}
	if !slices.Equal(env, []string{"MYSQL_PWD=p@ss"}) {
		t.Errorf("env %q", env)
	}
	args, _ = mysqlDumpConn(dev, false)
	if args[len(args)-1] != "--ssl-mode=REQUIRED" {
		t.Errorf("mysql client args %q", args)
	}
}
